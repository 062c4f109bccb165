import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../test-support/cpu-backend';
import { withLeakyReluGradient } from './leaky-relu-gradient';

beforeAll(useCpuBackend);

/** sum(output · weights) and its gradient with respect to the input, with the kernels that ran. */
async function run(layer: ReturnType<typeof tfl.layers.leakyReLU>, x: tf.Tensor, weights: tf.Tensor) {
  let result: { output: number[]; gradient: number[] } | undefined;
  const profile = await tf.profile(() => {
    const { value, grads } = tf.engine().gradients(() => {
      const y = layer.apply(x) as tf.Tensor;
      result = { output: Array.from(y.dataSync()), gradient: [] };
      return tf.sum(tf.mul(y, weights)) as tf.Scalar;
    }, [x]);
    result!.gradient = Array.from(grads[0]!.dataSync());
    tf.dispose([value, ...grads]);
  });
  return { ...result!, kernels: profile.kernels.map((kernel) => kernel.name) };
}

describe('withLeakyReluGradient', () => {
  it('gives the stock layer’s outputs and gradients bit for bit, without a select', async () => {
    // Zeros and values of both signs, including ones that round differently when scaled by 0.2.
    const x = tf.concat([tf.reshape(tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 9), [72]), tf.zeros([8])]);
    const weights = tf.randomNormal([80], 0, 1, 'float32', 10);
    const stock = tfl.layers.leakyReLU({ alpha: 0.2 });
    const stepped = withLeakyReluGradient(tfl.layers.leakyReLU({ alpha: 0.2 }));
    const expected = await run(stock, x, weights);
    const before = tf.memory().numTensors;
    const actual = await run(stepped, x, weights);
    expect(tf.memory().numTensors).toBe(before);
    expect(actual.output).toEqual(expected.output);
    expect(actual.gradient).toEqual(expected.gradient);
    expect(expected.kernels).toContain('Select');
    expect(actual.kernels).not.toContain('Select');
    expect(actual.kernels).toContain('Step');
    expect(stepped.getClassName()).toBe('LeakyReLU');
    expect(stepped.getConfig()).toEqual({ ...stock.getConfig(), name: stepped.name });
    tf.dispose([x, weights]);
  });
});
