import { discriminatorFeatureModel } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxDifference, tinyDiscriminator, useCpuBackend } from '../test-support/tiny-models';
import { visualizeDiscriminatorFeatures } from './discriminator-features';
import { gradientsForDisplay, guidedBackprop } from './guided-backprop';

beforeAll(useCpuBackend);

const images = (count: number, seed: number) =>
  tf.randomUniform([count, 16, 16, 1], -1, 1, 'float32', seed) as tf.Tensor4D;

/** x (1x1 pixel, 4 channels) -> 1x1 conv (6) -> LeakyReLU -> 1x1 conv (3) -> LeakyReLU: two dense layers in image form. */
function twoLayerModel(first: number[][], second: number[][]): tfl.LayersModel {
  const input = tfl.input({ shape: [1, 1, 4] });
  const hidden = tfl.layers
    .conv2d({ filters: 6, kernelSize: 1, useBias: false, name: 'first' })
    .apply(input) as tfl.SymbolicTensor;
  const hiddenRelu = tfl.layers.leakyReLU({ alpha: 0.2, name: 'first_relu' }).apply(hidden) as tfl.SymbolicTensor;
  const output = tfl.layers
    .conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'second' })
    .apply(hiddenRelu) as tfl.SymbolicTensor;
  const outputRelu = tfl.layers.leakyReLU({ alpha: 0.2, name: 'second_relu' }).apply(output) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: outputRelu });
  model.getLayer('first').setWeights([tf.tensor4d(first.flat(), [1, 1, 4, 6])]);
  model.getLayer('second').setWeights([tf.tensor4d(second.flat(), [1, 1, 6, 3])]);
  return model;
}

describe('guidedBackprop', () => {
  it('matches a hand-written guided backward pass (gates on forward input > 0 and gradient > 0)', async () => {
    const first = Array.from({ length: 4 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(1 + i * 6 + j)));
    const second = Array.from({ length: 6 }, (_, i) => Array.from({ length: 3 }, (_, j) => Math.cos(2 + i * 3 + j)));
    const model = twoLayerModel(first, second);
    const inputs = [
      [0.5, -1, 0.25, 0.8],
      [-0.3, 0.9, 1, -0.6],
      [1, 1, -1, 0.2],
    ];
    const channels = [0, 1, 2];
    const gradient = (await guidedBackprop(model, tf.tensor4d(inputs.flat(), [3, 1, 1, 4]), {
      layer: 'second_relu',
      channel: channels,
    }).data()) as Float32Array;
    let gated = 0;
    inputs.forEach((x, image) => {
      const channel = channels[image]!;
      const hiddenInput = first[0]!.map((_, j) => x.reduce((sum, value, i) => sum + value * first[i]![j]!, 0));
      const hidden = hiddenInput.map((value) => (value > 0 ? value : 0.2 * value));
      const outputInput = hidden.reduce((sum, value, j) => sum + value * second[j]![channel]!, 0);
      // d unit / d output-input, gated: the seed gradient 1 is positive; the forward input must be too.
      const top = outputInput > 0 ? 1 : 0;
      const towardsHidden = second.map((row) => row[channel]! * top);
      const throughHidden = towardsHidden.map((value, j) => (hiddenInput[j]! > 0 && value > 0 ? value : 0));
      gated += towardsHidden.filter((value, j) => value !== throughHidden[j]).length;
      const expected = x.map((_, i) => throughHidden.reduce((sum, value, j) => sum + value * first[i]![j]!, 0));
      expected.forEach((value, i) => expect(gradient[image * 4 + i]).toBeCloseTo(value, 5));
    });
    // The example exercises the gates (otherwise this would only test a plain gradient).
    expect(gated).toBeGreaterThan(0);
    model.dispose();
  });

  it("equals tfjs's own gradient of the unit when no gate closes (positive weights and images)", async () => {
    const input = tfl.input({ shape: [8, 8, 2] });
    const conv = tfl.layers
      .conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv' })
      .apply(input) as tfl.SymbolicTensor;
    const relu = tfl.layers.leakyReLU({ alpha: 0.2, name: 'relu' }).apply(conv) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: relu });
    model.getLayer('conv').setWeights([tf.abs(tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 4))]);
    const x = tf.randomUniform([2, 8, 8, 2], 0.1, 1, 'float32', 5) as tf.Tensor4D;
    const guided = guidedBackprop(model, x, { layer: 'relu', channel: 1 });
    // Reference: the strongest unit of channel 1 per image, differentiated by tfjs through the layers model.
    const activation = model.predict(x) as tf.Tensor4D;
    const mask = tf.tidy(() => {
      const channel = tf.reshape(tf.slice(activation, [0, 0, 0, 1], [2, 4, 4, 1]), [2, 16]);
      const strongest = tf.reshape(tf.oneHot(tf.argMax(channel, 1), 16), [2, 4, 4, 1]);
      return tf.mul(strongest, tf.reshape(tf.oneHot([1], 3), [1, 1, 1, 3]));
    });
    const plain = tf.grad((images: tf.Tensor) => tf.sum(tf.mul(model.apply(images) as tf.Tensor, mask)))(x);
    expect(guided.shape).toEqual(x.shape);
    expect(await maxDifference(guided, plain)).toBeLessThan(1e-5);
    model.dispose();
  });

  it("on a DCGAN discriminator: the input's shape, not all zero, no leaks", async () => {
    const discriminator = tinyDiscriminator();
    const x = images(3, 7);
    const gradient = guidedBackprop(discriminator, x, { layer: 'd_lrelu2', channel: [0, 5, 9] });
    expect(gradient.shape).toEqual([3, 16, 16, 1]);
    const values = await gradient.data();
    for (let image = 0; image < 3; image++) {
      expect(values.slice(image * 256, (image + 1) * 256).some((value) => value !== 0)).toBe(true);
    }
    gradient.dispose();
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++)
      guidedBackprop(discriminator, x, { layer: 'd_lrelu2', channel: round }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => guidedBackprop(discriminator, x, { layer: 'd_lrelu9', channel: 0 })).toThrow(
      /Expected `model` to have a layer `d_lrelu9`; it has `d_conv1`/,
    );
    expect(() => guidedBackprop(discriminator, x, { layer: 'd_lrelu2', channel: 16 })).toThrow('got `16`');
    expect(() =>
      guidedBackprop(discriminator, tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, { layer: 'd_lrelu2', channel: 0 }),
    ).toThrow('Expected `images` to have shape [count > 0, 16, 16, 1], got [1, 8, 8, 1]');
    discriminator.dispose();
  });
});

describe('gradientsForDisplay', () => {
  it('keeps zero at zero, scales by the root mean square, clips to [-1, 1]', async () => {
    const gradient = tf.tensor4d([0, 1, -1, 4, 0, 0, 0, 0], [2, 2, 2, 1]);
    const shown = await gradientsForDisplay(gradient, 1).data();
    // Image 1: RMS = sqrt((0 + 1 + 1 + 16) / 4) = 2.1213.
    expect(Array.from(shown.slice(0, 4)).map((value) => Number(value.toFixed(4)))).toEqual([0, 0.4714, -0.4714, 1]);
    expect(Array.from(shown.slice(4))).toEqual([0, 0, 0, 0]);
  });
});

describe('visualizeDiscriminatorFeatures (figure 5)', () => {
  it("ranks the last conv layer's features by mean strongest response and explains each one's top images", async () => {
    const discriminator = tinyDiscriminator(4);
    const x = images(10, 8);
    const result = await visualizeDiscriminatorFeatures(discriminator, x, {
      features: 6,
      imagesPerFeature: 4,
      batchSize: 4,
    });
    expect(result.layer).toBe('d_lrelu2');
    expect(result.features).toHaveLength(6);
    expect(result.gradients.shape).toEqual([24, 16, 16, 1]);
    expect(result.inputs.shape).toEqual([24, 16, 16, 1]);

    // Reference ranking from @dcgan/core's feature model (tfjs-layers' own execution).
    const outputs = discriminatorFeatureModel(discriminator).predict(x) as tf.Tensor4D[];
    const maxima = (await tf.max(outputs.at(-1)!, [1, 2]).array()) as number[][];
    const scores = maxima[0]!.map((_, channel) => maxima.reduce((sum, row) => sum + row[channel]!, 0) / maxima.length);
    const expectedTop = scores
      .map((score, channel) => ({ score, channel }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 6);
    expect(result.features.map((feature) => feature.channel)).toEqual(expectedTop.map((entry) => entry.channel));
    for (const feature of result.features) {
      expect(feature.score).toBeCloseTo(scores[feature.channel]!, 4);
      const expectedImages = maxima
        .map((row, image) => ({ image, value: row[feature.channel]! }))
        .sort((a, b) => b.value - a.value);
      expect(feature.images).toEqual(expectedImages.slice(0, 4).map((entry) => entry.image));
    }
    // Each row is guided backprop of its feature on its images.
    const first = result.features[0]!;
    const direct = guidedBackprop(discriminator, tf.gather(x, first.images) as tf.Tensor4D, {
      layer: 'd_lrelu2',
      channel: first.channel,
    });
    expect(await maxDifference(direct, tf.slice(result.gradients, [0], [4]))).toBeLessThan(1e-6);
    discriminator.dispose();
  });
});
