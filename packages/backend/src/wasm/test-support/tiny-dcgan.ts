import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * A DCGAN built the way @dcgan/core builds it (paper, section 3): G projects z to 4x4, then 4x4 stride-2
 * 'same' transposed convolutions with batch norm and ReLU, tanh out; D mirrors it with strided
 * convolutions, LeakyReLU 0.2, batch norm everywhere but the input layer, and a 4x4 'valid' convolution
 * to one logit. No biases before batch norm. Used to check a whole training step on wasm against cpu.
 */
export interface TinyDcgan {
  readonly generator: tfl.Sequential;
  readonly discriminator: tfl.Sequential;
  /** One D update on real + fake, then one G update (non-saturating loss); returns both losses. */
  step(real: tf.Tensor4D, noise: tf.Tensor2D): { discriminatorLoss: number; generatorLoss: number };
  dispose(): void;
}

export interface TinyDcganOptions {
  readonly imageSize: number;
  readonly baseWidth: number;
  readonly channels: number;
  readonly latentSize: number;
}

export function createTinyDcgan(options: TinyDcganOptions): TinyDcgan {
  const { imageSize, baseWidth, channels, latentSize } = options;
  const depth = Math.log2(imageSize) - 2;
  const initializer = (seed: number) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed });
  const batchNorm = () => tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });

  const generator = tfl.sequential();
  let width = baseWidth * 2 ** (depth - 1);
  generator.add(
    tfl.layers.dense({
      inputShape: [latentSize],
      units: 16 * width,
      useBias: false,
      kernelInitializer: initializer(1),
    }),
  );
  generator.add(tfl.layers.reshape({ targetShape: [4, 4, width] }));
  generator.add(batchNorm());
  generator.add(tfl.layers.reLU());
  for (let block = 1; block < depth; block++) {
    width /= 2;
    generator.add(
      tfl.layers.conv2dTranspose({
        filters: width,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: initializer(1 + block),
      }),
    );
    generator.add(batchNorm());
    generator.add(tfl.layers.reLU());
  }
  generator.add(
    tfl.layers.conv2dTranspose({
      filters: channels,
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      useBias: false,
      kernelInitializer: initializer(9),
    }),
  );
  generator.add(tfl.layers.activation({ activation: 'tanh' }));

  const discriminator = tfl.sequential();
  width = baseWidth;
  discriminator.add(
    tfl.layers.conv2d({
      inputShape: [imageSize, imageSize, channels],
      filters: width,
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      useBias: false,
      kernelInitializer: initializer(11),
    }),
  );
  discriminator.add(tfl.layers.leakyReLU({ alpha: 0.2 }));
  for (let block = 1; block < depth; block++) {
    width *= 2;
    discriminator.add(
      tfl.layers.conv2d({
        filters: width,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: initializer(11 + block),
      }),
    );
    discriminator.add(batchNorm());
    discriminator.add(tfl.layers.leakyReLU({ alpha: 0.2 }));
  }
  discriminator.add(
    tfl.layers.conv2d({ filters: 1, kernelSize: 4, strides: 1, padding: 'valid', kernelInitializer: initializer(19) }),
  );
  discriminator.add(tfl.layers.flatten());

  const discriminatorOptimizer = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
  const generatorOptimizer = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
  const generatorVariables = generator.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const discriminatorVariables = discriminator.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const crossEntropy = (logits: tf.Tensor, label: number) =>
    tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, label), logits);

  return {
    generator,
    discriminator,
    step(real, noise) {
      const discriminatorLoss = discriminatorOptimizer.minimize(
        () => {
          const fake = generator.apply(noise, { training: true }) as tf.Tensor;
          const realLogits = discriminator.apply(real, { training: true }) as tf.Tensor;
          const fakeLogits = discriminator.apply(fake, { training: true }) as tf.Tensor;
          return tf.add(crossEntropy(realLogits, 1), crossEntropy(fakeLogits, 0)) as tf.Scalar;
        },
        true,
        discriminatorVariables,
      );
      const generatorLoss = generatorOptimizer.minimize(
        () =>
          crossEntropy(
            discriminator.apply(generator.apply(noise, { training: true }) as tf.Tensor, {
              training: true,
            }) as tf.Tensor,
            1,
          ) as tf.Scalar,
        true,
        generatorVariables,
      );
      const losses = {
        discriminatorLoss: (discriminatorLoss as tf.Scalar).dataSync()[0] as number,
        generatorLoss: (generatorLoss as tf.Scalar).dataSync()[0] as number,
      };
      tf.dispose([discriminatorLoss as tf.Scalar, generatorLoss as tf.Scalar]);
      return losses;
    },
    dispose() {
      generator.dispose();
      discriminator.dispose();
      discriminatorOptimizer.dispose();
      generatorOptimizer.dispose();
    },
  };
}

/** All weights (trainable and batch-norm moving statistics) of both networks, as plain arrays. */
export function readWeights(dcgan: TinyDcgan): Float32Array[] {
  return [...dcgan.generator.getWeights(), ...dcgan.discriminator.getWeights()].map(
    (weight) => weight.dataSync() as Float32Array,
  );
}

/** Sets all weights of both networks from {@link readWeights}' arrays. */
export function writeWeights(dcgan: TinyDcgan, values: readonly Float32Array[]): void {
  const generatorWeights = dcgan.generator.getWeights();
  const discriminatorWeights = dcgan.discriminator.getWeights();
  const all = [...generatorWeights, ...discriminatorWeights];
  const tensors = all.map((weight, index) => tf.tensor(values[index] as Float32Array, weight.shape));
  dcgan.generator.setWeights(tensors.slice(0, generatorWeights.length));
  dcgan.discriminator.setWeights(tensors.slice(generatorWeights.length));
  tf.dispose(tensors);
}
