import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../test-support/cpu-backend';
import { DcganError } from '@dcgan/common';
import { withDenseGradientsOnDemand } from './dense-gradients-on-demand';

beforeAll(useCpuBackend);

const layerArgs = { units: 6, useBias: false, kernelInitializer: 'glorotNormal' } as const;

/** sum(output^2) and its gradient with respect to the kernel, with the number of matrix products run. */
async function run(layer: ReturnType<typeof tfl.layers.dense>, x: tf.Tensor2D) {
  const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
  let result: { value: number; gradient: number[] } | undefined;
  const profile = await tf.profile(() => {
    const { value, grads } = tf
      .engine()
      .gradients(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, [kernel]);
    result = { value: value.dataSync()[0]!, gradient: Array.from(grads[0]!.dataSync()) };
    tf.dispose([value, ...grads]);
  });
  const products = profile.kernels.filter((entry) => ['BatchMatMul', '_FusedMatMul'].includes(entry.name)).length;
  return { ...result!, products };
}

describe('withDenseGradientsOnDemand', () => {
  it('gives the stock layer’s outputs and kernel gradient, without the input gradient', async () => {
    const x = tf.randomUniform([5, 7], -1, 1, 'float32', 3) as tf.Tensor2D;
    const stock = tfl.layers.dense({ ...layerArgs, name: 'stock' });
    const onDemand = withDenseGradientsOnDemand(tfl.layers.dense({ ...layerArgs, name: 'on_demand' }));
    stock.apply(x);
    onDemand.apply(x);
    onDemand.setWeights(stock.getWeights());
    const expected = await run(stock, x);
    const before = tf.memory().numTensors;
    const actual = await run(onDemand, x);
    expect(tf.memory().numTensors).toBe(before);
    expect(actual.value).toBeCloseTo(expected.value, 5);
    expect(actual.gradient.length).toBe(expected.gradient.length);
    for (const [index, value] of actual.gradient.entries()) expect(value).toBeCloseTo(expected.gradient[index]!, 5);
    // Forward, kernel gradient, and for the stock layer the input gradient as well.
    expect(expected.products).toBe(3);
    expect(actual.products).toBe(2);
    expect(onDemand.getClassName()).toBe('Dense');
    expect({ ...onDemand.getConfig(), name: 'stock' }).toEqual(stock.getConfig());
    stock.dispose();
    onDemand.dispose();
    x.dispose();
  });

  it('refuses layers with a bias or an activation', () => {
    expect(() => withDenseGradientsOnDemand(tfl.layers.dense({ ...layerArgs, useBias: true }))).toThrow(DcganError);
    expect(() => withDenseGradientsOnDemand(tfl.layers.dense({ ...layerArgs, activation: 'relu' }))).toThrow(
      DcganError,
    );
  });
});
