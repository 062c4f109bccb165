import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxDifference, useCpuBackend } from '../test-support/tiny-models';
import { alongDirection, averageLatent, latentArithmetic, noisyNeighbours, turnVector } from './latent-arithmetic';

beforeAll(useCpuBackend);

const rows = (count: number, dimension: number, offset: number) =>
  Array.from({ length: count }, (_, row) =>
    Array.from({ length: dimension }, (_, column) => Math.sin(offset + row * 1.7 + column * 0.9)),
  );

const mean = (matrix: number[][]) =>
  matrix[0]!.map((_, column) => matrix.reduce((sum, row) => sum + row[column]!, 0) / matrix.length);

describe('vector arithmetic', () => {
  it('averages each concept and computes mean(A) - mean(B) + mean(C)', async () => {
    const [a, b, c] = [rows(3, 10, 0), rows(3, 10, 1), rows(3, 10, 2)];
    const expected = mean(a).map((value, index) => value - mean(b)[index]! + mean(c)[index]!);
    const result = latentArithmetic(tf.tensor2d(a), tf.tensor2d(b), tf.tensor2d(c));
    expect(result.shape).toEqual([10]);
    Array.from(await result.data()).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
    Array.from(await averageLatent(tf.tensor2d(a)).data()).forEach((value, index) =>
      expect(value).toBeCloseTo(mean(a)[index]!, 6),
    );
  });

  it('a vector with itself returns it: v - v + v = v, and mean(S) for a set S', async () => {
    const vector = tf.tensor1d(rows(1, 12, 4)[0]!);
    expect(await maxDifference(latentArithmetic(vector, vector, vector), vector)).toBe(0);
    const set = tf.tensor2d(rows(3, 12, 5));
    expect(await maxDifference(latentArithmetic(set, set, set), averageLatent(set))).toBeLessThan(1e-7);
  });

  it('rejects concepts of different latent sizes', () => {
    expect(() =>
      latentArithmetic(
        tf.zeros([3, 10]) as tf.Tensor2D,
        tf.zeros([3, 9]) as tf.Tensor2D,
        tf.zeros([3, 10]) as tf.Tensor2D,
      ),
    ).toThrow('Expected `b` to have shape [count, 10], got [3, 9]');
  });
});

describe('noisyNeighbours', () => {
  it('adds uniform noise within the scale, the same for the same seed', async () => {
    const vector = tf.tensor1d(rows(1, 50, 1)[0]!);
    const neighbours = noisyNeighbours(vector, { count: 8, noiseScale: 0.25, seed: 3 });
    expect(neighbours.shape).toEqual([8, 50]);
    const offsets = await tf.sub(neighbours, tf.reshape(vector, [1, 50])).data();
    expect(Math.max(...Array.from(offsets, Math.abs))).toBeLessThanOrEqual(0.25 + 1e-6);
    // Spread over the whole interval, not a constant shift.
    expect(Math.max(...offsets)).toBeGreaterThan(0.2);
    expect(Math.min(...offsets)).toBeLessThan(-0.2);
    expect(await maxDifference(neighbours, noisyNeighbours(vector, { count: 8, noiseScale: 0.25, seed: 3 }))).toBe(0);
    expect(
      await maxDifference(neighbours, noisyNeighbours(vector, { count: 8, noiseScale: 0.25, seed: 4 })),
    ).toBeGreaterThan(0.01);
    expect(
      await maxDifference(noisyNeighbours(vector, { noiseScale: 0 }), tf.tile(tf.reshape(vector, [1, 50]), [8, 1])),
    ).toBe(0);
    expect(() => noisyNeighbours(vector, { noiseScale: -1 })).toThrow(
      'Expected `noiseScale` to be a finite number >= 0, got `-1`',
    );
  });
});

describe('turn vectors', () => {
  it('is mean(to) - mean(from), and moves each sample along it in order', async () => {
    const from = rows(4, 6, 0);
    const to = rows(4, 6, 3);
    const direction = turnVector(tf.tensor2d(from), tf.tensor2d(to));
    const expected = mean(to).map((value, index) => value - mean(from)[index]!);
    Array.from(await direction.data()).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));

    const samples = rows(2, 6, 7);
    const amounts = [-1, 0, 0.5];
    const moved = (await alongDirection(tf.tensor2d(samples), direction, amounts).array()) as number[][];
    expect(moved).toHaveLength(6);
    samples.forEach((sample, row) =>
      amounts.forEach((amount, column) =>
        moved[row * 3 + column]!.forEach((value, index) =>
          expect(value).toBeCloseTo(sample[index]! + amount * expected[index]!, 5),
        ),
      ),
    );
  });
});
