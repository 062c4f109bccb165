import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../test-support/cpu-backend';
import { DcganError } from '@dcgan/common';
import { withBatchNormGradient } from './batch-norm-gradient';
import { batchNormSettings } from './initializers';

beforeAll(useCpuBackend);

type BatchNormLayer = ReturnType<typeof tfl.layers.batchNormalization>;

/**
 * sum(output · weights) in training mode and its gradients with respect to the input, gamma and beta; the
 * weights make every output value count differently (a plain sum has a zero input gradient).
 */
function run(layer: BatchNormLayer, x: tf.Tensor4D, weights: tf.Tensor4D) {
  const [gamma, beta] = layer.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const { value, grads } = tf
    .engine()
    .gradients(
      () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, weights)) as tf.Scalar,
      [x, gamma!, beta!],
    );
  const result = {
    value: value.dataSync()[0]!,
    gradients: grads.map((gradient) => Array.from(gradient.dataSync())),
  };
  tf.dispose([value, ...grads]);
  return result;
}

function expectClose(actual: number[], expected: number[], tolerance: number) {
  expect(actual).toHaveLength(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  const worst = Math.max(...actual.map((value, index) => Math.abs(value - expected[index]!)));
  expect(worst).toBeLessThanOrEqual(tolerance * scale);
}

describe('withBatchNormGradient', () => {
  it('gives the stock layer’s outputs, moving statistics and gradients, with fewer kernels', async () => {
    const x = tf.add(tf.mul(tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 3), 2), 0.7) as tf.Tensor4D;
    const weights = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 4) as tf.Tensor4D;
    const layerArgs = { ...batchNormSettings, gammaInitializer: tfl.initializers.randomNormal({ seed: 5 }) };
    const stock = tfl.layers.batchNormalization({ ...layerArgs, name: 'stock' });
    const closedForm = withBatchNormGradient(tfl.layers.batchNormalization({ ...layerArgs, name: 'closed_form' }));
    stock.apply(x);
    closedForm.apply(x);
    closedForm.setWeights(stock.getWeights());
    const beta = closedForm.trainableWeights[1]!.read() as tf.Variable;
    beta.assign(tf.randomNormal([6], 0, 1, 'float32', 6));
    stock.setWeights(closedForm.getWeights());

    const expected = run(stock, x, weights);
    const before = tf.memory().numTensors;
    const actual = run(closedForm, x, weights);
    expect(tf.memory().numTensors).toBe(before);
    // The forward pass is the stock one, kernel for kernel.
    expect(actual.value).toBe(expected.value);
    for (const [index, gradient] of actual.gradients.entries()) expectClose(gradient, expected.gradients[index]!, 1e-5);
    // The moving mean and variance moved the same way (two updates each so far).
    const movingStatistics = (layer: BatchNormLayer) =>
      layer
        .getWeights()
        .slice(2)
        .map((weight) => Array.from(weight.dataSync()));
    expect(movingStatistics(closedForm)).toEqual(movingStatistics(stock));

    const kernelsOnFullInput = async (layer: BatchNormLayer) =>
      (await tf.profile(() => run(layer, x, weights))).kernels.filter((kernel) =>
        kernel.inputShapes.some((shape) => shape.join() === x.shape.join()),
      ).length;
    const stockKernels = await kernelsOnFullInput(stock);
    const closedFormKernels = await kernelsOnFullInput(closedForm);
    expect(closedFormKernels).toBeLessThan(stockKernels * 0.7);

    // Inference is the stock layer's.
    const inferred = (layer: BatchNormLayer) =>
      tf.tidy(() => Array.from((layer.apply(x, { training: false }) as tf.Tensor).dataSync()));
    expect(inferred(closedForm)).toEqual(inferred(stock));
    // Saved the same way: the layer is still a plain BatchNormalization.
    expect(closedForm.getClassName()).toBe('BatchNormalization');
    expect({ ...closedForm.getConfig(), name: 'stock' }).toEqual(stock.getConfig());
    tf.dispose([x, weights]);
    stock.dispose();
    closedForm.dispose();
  });

  it('refuses layers without scale or center, or normalising another axis', () => {
    expect(() => withBatchNormGradient(tfl.layers.batchNormalization({ scale: false }))).toThrow(DcganError);
    expect(() => withBatchNormGradient(tfl.layers.batchNormalization({ center: false }))).toThrow(DcganError);
    expect(() => withBatchNormGradient(tfl.layers.batchNormalization({ axis: 1 }))).toThrow(DcganError);
  });
});
