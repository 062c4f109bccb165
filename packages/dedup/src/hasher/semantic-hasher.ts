import { createHash } from 'node:crypto';

import type { RawImage } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { DedupError } from '../errors/dedup-error';
import { codeBytesOf, packThresholded } from '../group/binary-code';
import type { HasherInputShape, ImageHasher } from '../hash/image-hasher';
import {
  inputSizeOf,
  minimumInputDeviation,
  resolveArchitecture,
  type SemanticHasherArchitecture,
} from './semantic-hasher-architecture';

/** The four weight arrays of the autoencoder, row-major. */
export interface SemanticHasherWeights {
  /** [inputSize, codeBits] */
  readonly encoderKernel: Float32Array;
  /** [codeBits] */
  readonly encoderBias: Float32Array;
  /** [codeBits, inputSize] */
  readonly decoderKernel: Float32Array;
  /** [inputSize] */
  readonly decoderBias: Float32Array;
  /**
   * [inputSize]: the training set's mean of standardised images, subtracted from every standardised input
   * (`inputNormalisation: 'standardise'` only; zeros until `trainSemanticHasher` sets it).
   */
  readonly inputMean?: Float32Array;
}

/** Options of {@link SemanticHasher.create}. */
export interface CreateSemanticHasherOptions {
  readonly architecture?: Partial<SemanticHasherArchitecture>;
  /** Seed of the initial weights. @default 0 */
  readonly seed?: number;
  /** Start from these weights instead of random ones. */
  readonly weights?: SemanticHasherWeights;
  /** Free-form facts about how it was trained, kept in the hasher file. @default {} */
  readonly training?: Readonly<Record<string, unknown>>;
}

/**
 * The paper's semantic hasher (section 4.1.1): a denoising, dropout-regularised ReLU autoencoder
 * (3072-128-3072 for 32x32 RGB) whose code-layer ReLU activations, thresholded, are the hash bits. Images are
 * scaled to [0, 1]. Create it untrained with {@link SemanticHasher.create}, train it with `trainSemanticHasher`,
 * keep it with `saveSemanticHasher` / `loadSemanticHasher`, and `dispose()` it when done.
 *
 * @example
 * const hasher = SemanticHasher.create({ architecture: { codeBits: 128 } });
 * const codes = await hasher.hashImages(images); // 16 bytes per image
 */
export class SemanticHasher implements ImageHasher {
  readonly kind = 'semantic';
  readonly architecture: SemanticHasherArchitecture;
  readonly codeBits: number;
  readonly inputShape: HasherInputShape;
  readonly inputSize: number;
  /** How the hasher was trained (epochs, noise, ...), as saved in its file. */
  training: Readonly<Record<string, unknown>>;
  /** Dense ReLU code layer (inputSize -> codeBits). */
  readonly encoder: tfl.layers.Layer;
  /** Dense linear reconstruction layer (codeBits -> inputSize). */
  readonly decoder: tfl.layers.Layer;
  /** The `inputMean` of a standardising hasher (not trained by gradient; see {@link SemanticHasher.prepare}). */
  private inputMean: tf.Tensor1D | undefined;
  private disposed = false;

  private constructor(
    architecture: SemanticHasherArchitecture,
    seed: number,
    training: Readonly<Record<string, unknown>>,
  ) {
    this.architecture = architecture;
    this.codeBits = architecture.codeBits;
    this.inputSize = inputSizeOf(architecture);
    this.inputShape = {
      width: architecture.imageWidth,
      height: architecture.imageHeight,
      channels: architecture.channels,
    };
    this.training = training;
    this.encoder = tfl.layers.dense({
      units: architecture.codeBits,
      activation: 'relu',
      useBias: architecture.encoderBias,
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      // A small positive bias keeps code units alive at the start: units that never fire are constant bits.
      biasInitializer: tfl.initializers.constant({ value: 0.1 }),
    });
    this.decoder = tfl.layers.dense({
      units: this.inputSize,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    });
    if (architecture.inputNormalisation === 'standardise')
      this.inputMean = tf.keep(tf.zeros([this.inputSize]) as tf.Tensor1D);
    // Calling the layers once builds their weights (and lets `dispose()` free them).
    tf.tidy(() => {
      this.decoder.apply(this.encoder.apply(tf.zeros([1, this.inputSize])));
    });
  }

  /**
   * A new hasher with random (seeded) or given weights.
   *
   * @example
   * const hasher = SemanticHasher.create({ architecture: { imageWidth: 16, imageHeight: 16, channels: 1, codeBits: 32 }, seed: 1 });
   */
  static create(options: CreateSemanticHasherOptions = {}): SemanticHasher {
    const architecture = resolveArchitecture(options.architecture);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new DedupError(`Expected \`seed\` to be an integer, got \`${seed}\``);
    const hasher = new SemanticHasher(architecture, seed, options.training ?? {});
    if (options.weights !== undefined) hasher.setWeights(options.weights);
    return hasher;
  }

  /** Expected length of each weight array. */
  weightSizes(): Partial<Record<keyof SemanticHasherWeights, number>> &
    Record<Exclude<keyof SemanticHasherWeights, 'inputMean'>, number> {
    const { inputSize, codeBits } = this;
    const sizes = {
      encoderKernel: inputSize * codeBits,
      encoderBias: codeBits,
      decoderKernel: codeBits * inputSize,
      decoderBias: inputSize,
    };
    return this.inputMean === undefined ? sizes : { ...sizes, inputMean: inputSize };
  }

  /** Copies the weights out of the tensors (synchronously: not on the webgpu backend; see `readWeights`). */
  getWeights(): SemanticHasherWeights {
    this.assertUsable();
    return this.weightsFrom(this.weightTensors().map((tensor) => tensor.dataSync() as Float32Array));
  }

  /** Copies the weights out of the tensors on any backend (a GPU backend reads asynchronously). */
  async readWeights(): Promise<SemanticHasherWeights> {
    this.assertUsable();
    return this.weightsFrom(
      await Promise.all(this.weightTensors().map(async (tensor) => (await tensor.data()) as Float32Array)),
    );
  }

  private weightTensors(): tf.Tensor[] {
    return [
      ...this.encoder.getWeights(),
      ...this.decoder.getWeights(),
      ...(this.inputMean === undefined ? [] : [this.inputMean]),
    ];
  }

  private weightsFrom(values: Float32Array[]): SemanticHasherWeights {
    const encoderCount = this.encoder.getWeights().length;
    const [encoderKernel, encoderBias = new Float32Array(this.codeBits)] = values.slice(0, encoderCount);
    const [decoderKernel, decoderBias, inputMean] = values.slice(encoderCount);
    const weights = {
      encoderKernel: encoderKernel!,
      encoderBias,
      decoderKernel: decoderKernel!,
      decoderBias: decoderBias!,
    };
    return inputMean === undefined ? weights : { ...weights, inputMean };
  }

  /** Replaces the weights; each array must have its exact size. */
  setWeights(weights: SemanticHasherWeights): void {
    this.assertUsable();
    const sizes = this.weightSizes() as Record<keyof SemanticHasherWeights, number>;
    if (this.inputMean === undefined && weights.inputMean !== undefined) {
      throw new DedupError(
        "Expected no `inputMean` for a hasher that does not standardise its input (`inputNormalisation: 'none'`)",
      );
    }
    for (const name of Object.keys(sizes) as (keyof SemanticHasherWeights)[]) {
      const values = weights[name];
      if (name === 'inputMean' && values === undefined) continue; // stays as it is (zeros for a new hasher)
      if (!(values instanceof Float32Array) || values.length !== sizes[name]) {
        throw new DedupError(
          `Expected \`${name}\` to be a Float32Array of ${sizes[name]} values, got ${values instanceof Float32Array ? values.length : typeof values}`,
        );
      }
    }
    if (!this.architecture.encoderBias && weights.encoderBias.some((value) => value !== 0)) {
      throw new DedupError(
        'Expected `encoderBias` to be all zeros for a hasher whose code layer has no bias (`encoderBias: false`)',
      );
    }
    const { inputSize, codeBits } = this;
    tf.tidy(() => {
      const encoderKernel = tf.tensor2d(weights.encoderKernel, [inputSize, codeBits]);
      this.encoder.setWeights(
        this.architecture.encoderBias ? [encoderKernel, tf.tensor1d(weights.encoderBias)] : [encoderKernel],
      );
      this.decoder.setWeights([
        tf.tensor2d(weights.decoderKernel, [codeBits, inputSize]),
        tf.tensor1d(weights.decoderBias),
      ]);
    });
    if (weights.inputMean !== undefined) this.setInputMean(weights.inputMean);
  }

  /** Sets the mean of standardised training images that {@link SemanticHasher.prepare} subtracts. */
  setInputMean(mean: Float32Array): void {
    this.assertUsable();
    if (this.inputMean === undefined)
      throw new DedupError(
        "This hasher does not standardise its input (`inputNormalisation: 'none'`): it has no `inputMean`",
      );
    if (!(mean instanceof Float32Array) || mean.length !== this.inputSize)
      throw new DedupError(`Expected \`inputMean\` to be a Float32Array of ${this.inputSize} values`);
    this.inputMean.dispose();
    this.inputMean = tf.keep(tf.tensor1d(mean));
  }

  /** The variables training updates. */
  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map(
      (weight) => weight.read() as tf.Variable,
    );
  }

  /** A digest of the architecture and weights: two hashers with the same fingerprint give the same codes. */
  async fingerprint(): Promise<string> {
    const digest = createHash('sha256');
    const { imageWidth, imageHeight, channels, codeBits, threshold, encoderBias, inputNormalisation } =
      this.architecture;
    // 'none' hashes as before the field existed, so older fingerprints (and hash stores) stay valid.
    digest.update(
      JSON.stringify({
        kind: this.kind,
        imageWidth,
        imageHeight,
        channels,
        codeBits,
        threshold,
        encoderBias,
        ...(inputNormalisation === 'none' ? {} : { inputNormalisation }),
      }),
    );
    const weights = await this.readWeights();
    for (const values of [
      weights.encoderKernel,
      weights.encoderBias,
      ...(weights.inputMean === undefined ? [] : [weights.inputMean]),
    ])
      digest.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return `semantic-${digest.digest('hex').slice(0, 24)}`;
  }

  /**
   * The code layer's input for a [n, inputSize] batch in [0, 1]: the batch itself (`inputNormalisation: 'none'`), or
   * each row standardised (minus its mean, over its standard deviation floored at `minimumInputDeviation`) minus
   * `inputMean`. The caller owns the result.
   */
  prepare(inputs: tf.Tensor2D): tf.Tensor2D {
    this.assertUsable();
    const inputMean = this.inputMean;
    if (inputMean === undefined) return tf.clone(inputs);
    return tf.tidy(() => tf.sub(standardiseRows(inputs), inputMean));
  }

  /** Code-layer ReLU activations of a [n, inputSize] batch in [0, 1] (prepared, see `prepare`). The caller owns the result. */
  encode(inputs: tf.Tensor2D): tf.Tensor2D {
    this.assertUsable();
    if (this.inputMean === undefined) return this.encoder.apply(inputs) as tf.Tensor2D;
    return tf.tidy(() => this.encoder.apply(this.prepare(inputs)) as tf.Tensor2D);
  }

  /** Reconstruction of a [n, codeBits] code batch. The caller owns the result. */
  decode(codes: tf.Tensor2D): tf.Tensor2D {
    this.assertUsable();
    return this.decoder.apply(codes) as tf.Tensor2D;
  }

  /** Images as a [n, inputSize] float array in [0, 1]; each must have the hasher's shape. */
  imagesToInputs(images: readonly RawImage[]): Float32Array {
    const { width, height, channels } = this.inputShape;
    const inputs = new Float32Array(images.length * this.inputSize);
    images.forEach((image, index) => {
      if (image.width !== width || image.height !== height || image.channels !== channels) {
        throw new DedupError(
          `Expected image ${index} to be ${width}x${height}x${channels} (the hasher's input), got ${image.width}x${image.height}x${image.channels}`,
        );
      }
      const offset = index * this.inputSize;
      for (let value = 0; value < this.inputSize; value += 1) inputs[offset + value] = image.data[value]! / 255;
    });
    return inputs;
  }

  /** Code-layer activations of images, [n * codeBits] row-major. */
  async activations(images: readonly RawImage[]): Promise<Float32Array> {
    if (images.length === 0) return new Float32Array(0);
    const inputs = this.imagesToInputs(images);
    const activations = tf.tidy(() => this.encode(tf.tensor2d(inputs, [images.length, this.inputSize])));
    try {
      return (await activations.data()) as Float32Array;
    } finally {
      activations.dispose();
    }
  }

  async hashImages(images: readonly RawImage[]): Promise<Uint8Array> {
    if (images.length === 0) return new Uint8Array(0);
    return packThresholded(
      await this.activations(images),
      images.length,
      this.codeBits,
      this.architecture.threshold,
      new Uint8Array(images.length * codeBytesOf(this.codeBits)),
    );
  }

  /** Frees the weights. The hasher cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder.dispose();
    this.decoder.dispose();
    this.inputMean?.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new DedupError('This SemanticHasher was disposed');
  }
}

/** Each row minus its mean, divided by its (population) standard deviation floored at `minimumInputDeviation`. */
export function standardiseRows(rows: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(rows, 1, true);
    return tf.div(tf.sub(rows, mean), tf.maximum(tf.sqrt(variance), minimumInputDeviation));
  });
}
