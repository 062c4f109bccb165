import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../test-support/cpu-backend';
import { useBroadcastMeanGradient } from './mean-gradient';
import { Trainer } from './trainer';

beforeAll(useCpuBackend);

const stockGradient = tf.getGradient(tf.Mean);
afterAll(() => tf.registerGradient(stockGradient));

/** Gradient of sum(mean(x, axis) * w) with respect to x, and the kernels its backward pass ran. */
async function meanGradient(x: tf.Tensor, axis: number | number[] | undefined, keepDims: boolean) {
  const weights = tf.randomNormal(tf.mean(x, axis, keepDims).shape, 0, 1, 'float32', 5);
  const f = (input: tf.Tensor) => tf.sum(tf.mul(tf.mean(input, axis, keepDims), weights));
  const gradient = tf.grad(f)(x);
  const profile = await tf.profile(() => tf.grad(f)(x));
  return {
    values: Array.from(await gradient.data()),
    shape: gradient.shape,
    kernels: profile.kernels.map((kernel) => kernel.name),
  };
}

describe('useBroadcastMeanGradient', () => {
  it.each([
    [[16, 4, 4, 8], [0, 1, 2], false], // batch norm's statistics
    [[3, 5, 7], [0, 2], true],
    [[6, 4], undefined, false],
    [[6, 4], -1, false],
  ] as const)(
    'shape %j, axis %j, keepDims %s: the same bits as tfjs-core gradient, without a ones tensor',
    async (shape, axis, keepDims) => {
      const x = tf.randomNormal([...shape], 0, 1, 'float32', 4);
      tf.registerGradient(stockGradient);
      const expected = await meanGradient(x, axis as number | number[] | undefined, keepDims);
      useBroadcastMeanGradient();
      expect(tf.getGradient(tf.Mean)).not.toBe(stockGradient);
      const actual = await meanGradient(x, axis as number | number[] | undefined, keepDims);
      expect(actual.shape).toEqual(expected.shape);
      expect(actual.values).toEqual(expected.values);
      // tfjs-core multiplies by a ones tensor of x's shape (uploaded from JavaScript); this tiles the quotient.
      expect(expected.kernels).toContain('Multiply');
      expect(actual.kernels).toContain('Tile');
      expect(actual.kernels.filter((name) => name === 'Multiply')).toHaveLength(
        expected.kernels.filter((name) => name === 'Multiply').length - 1,
      );
      x.dispose();
    },
  );

  it('is registered by a Trainer and registering it again changes nothing', () => {
    tf.registerGradient(stockGradient);
    const trainer = new Trainer({ config: { imageSize: 16, channels: 1, baseWidth: 4 }, batchSize: 2, seed: 1 });
    const registered = tf.getGradient(tf.Mean);
    expect(registered).not.toBe(stockGradient);
    useBroadcastMeanGradient();
    expect(tf.getGradient(tf.Mean)).toBe(registered);
    trainer.dispose();
  });
});
