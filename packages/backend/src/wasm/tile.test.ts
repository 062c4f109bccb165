import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  prepareBackends,
  relativeError,
  runKernelOnBoth,
  seededTensorData,
} from './test-support/backend-comparison.js';

const cases: Array<{ shape: number[]; reps: number[] }> = [
  { shape: [1, 1, 1, 8], reps: [4, 5, 5, 1] },
  { shape: [1, 1, 1, 3], reps: [2, 3, 4, 2] },
  { shape: [2, 3], reps: [3, 2] },
  { shape: [2, 3], reps: [1, 1] },
  { shape: [5], reps: [7] },
  { shape: [2, 1, 3], reps: [1, 4, 1] },
  { shape: [2, 2, 2, 2, 2], reps: [2, 1, 3, 1, 2] },
  { shape: [3, 1], reps: [1, 5] },
  { shape: [1, 4, 1, 2], reps: [3, 1, 2, 1] },
  { shape: [70, 70, 1], reps: [1, 1, 3] }, // more rows than the block-copy path takes: stock kernel
];

describe('Tile on wasm', () => {
  beforeAll(prepareBackends);

  it.each(cases.map((testCase) => [JSON.stringify(testCase), testCase] as const))(
    'matches cpu: %s',
    async (_, { shape, reps }) => {
      const { wasm, cpu } = await runKernelOnBoth('Tile', { x: seededTensorData(shape, 21) }, { reps });
      expect(wasm.shape).toEqual(shape.map((size, axis) => size * (reps[axis] as number)));
      expect(cpu.shape).toEqual(wasm.shape);
      expect(relativeError(wasm.values, cpu.values)).toBe(0);
    },
  );

  it('tiles int32 and bool tensors exactly', async () => {
    await tf.setBackend('wasm');
    const integers = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const booleans = tf.tensor2d([true, false], [1, 2], 'bool');
    expect(await tf.tile(integers, [2, 2]).array()).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    expect(await tf.tile(booleans, [2, 2]).array()).toEqual([
      [1, 0, 1, 0],
      [1, 0, 1, 0],
    ]);
    tf.dispose([integers, booleans]);
  });

  it('tiles empty tensors', async () => {
    await tf.setBackend('wasm');
    const empty = tf.tile(tf.zeros([0, 3]), [2, 2]);
    expect(empty.shape).toEqual([0, 6]);
    tf.dispose(empty);
  });
});
