import { generate, sampleLatent } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arithmeticFigure, vectorArithmetic } from '../arithmetic/vector-arithmetic';
import { turnWalk } from '../arithmetic/turn-walk';
import { maxDifference, tinyGenerator, useCpuBackend } from '../test-support/tiny-models';
import { walkGrid } from './walk-grid';

let generator: tfl.LayersModel;
beforeAll(async () => {
  await useCpuBackend();
  generator = tinyGenerator();
});
afterAll(() => generator.dispose());

const disposeAll = (value: object) =>
  tf.dispose(
    Object.values(value).flatMap((entry) =>
      entry instanceof tf.Tensor
        ? [entry]
        : typeof entry === 'object' && entry != null
          ? Object.values(entry).filter((inner) => inner instanceof tf.Tensor)
          : [],
    ) as tf.Tensor[],
  );

describe('walkGrid (figure 4)', () => {
  it('has rows x ((points - 1) (steps - 1) + 1) images whose waypoints are G of random points', async () => {
    const grid = walkGrid(generator, { rows: 3, points: 3, stepsPerSegment: 4, seed: 5, method: 'spherical' });
    expect([grid.rows, grid.columns]).toEqual([3, 7]);
    expect(grid.images.shape).toEqual([21, 16, 16, 1]);
    expect(grid.latents.shape).toEqual([21, 8]);
    // Column 0 of each row is a waypoint: rendering it alone gives the same image.
    const first = generate(generator, tf.slice(grid.latents, [7], [1]) as tf.Tensor2D);
    expect(await maxDifference(first, tf.slice(grid.images, [7], [1]))).toBeLessThan(1e-5);
    disposeAll(grid);
    first.dispose();
  });

  it('is deterministic under a seed and changes with it', async () => {
    const one = walkGrid(generator, { rows: 2, seed: 9 });
    const again = walkGrid(generator, { rows: 2, seed: 9 });
    const other = walkGrid(generator, { rows: 2, seed: 10 });
    expect(await maxDifference(one.images, again.images)).toBe(0);
    expect(await maxDifference(one.latents, other.latents)).toBeGreaterThan(0.1);
    [one, again, other].forEach(disposeAll);
  });

  it('leaks no tensors', () => {
    disposeAll(walkGrid(generator, { rows: 1 }));
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) disposeAll(walkGrid(generator, { rows: 1, seed: round }));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('vectorArithmetic (figure 7)', () => {
  it('renders A - B + C in the middle of 8 noisy neighbours, next to pixel-space arithmetic', async () => {
    const z = sampleLatent(9, 8, 2);
    const [a, b, c] = [0, 3, 6].map((start) => tf.slice(z, [start], [3]) as tf.Tensor2D);
    const result = vectorArithmetic(generator, { a: a!, b: b!, c: c!, seed: 4 });
    expect(result.resultImages.shape).toEqual([9, 16, 16, 1]);
    expect(result.centerIndex).toBe(4);
    expect(await maxDifference(tf.reshape(tf.slice(result.latents, [4], [1]), [8]), result.result)).toBe(0);
    expect(result.averageImages.shape).toEqual([3, 16, 16, 1]);
    expect(result.conceptImages.b.shape).toEqual([3, 16, 16, 1]);
    // Pixel space: the same arithmetic on G's images, computed here independently.
    const images = generate(generator, z);
    const expected = tf.tidy(() => {
      const mean = (start: number) => tf.mean(tf.slice(images, [start], [3]), 0);
      return tf.expandDims(tf.clipByValue(tf.add(tf.sub(mean(0), mean(3)), mean(6)), -1, 1), 0);
    });
    expect(await maxDifference(result.pixelSpace, expected)).toBeLessThan(1e-5);

    const figure = arithmeticFigure(result);
    expect([figure.rows, figure.columns]).toEqual([4, 6]);
    expect(figure.images.shape).toEqual([24, 16, 16, 1]);
    const tile = (row: number, column: number) => tf.slice(figure.images, [row * 6 + column], [1]);
    expect(await maxDifference(tile(1, 4), tf.slice(result.resultImages, [4], [1]))).toBe(0);
    expect(await maxDifference(tile(2, 1), tf.slice(result.conceptImages.b, [2], [1]))).toBe(0);
    expect(await maxDifference(tile(3, 4), result.pixelSpace)).toBe(0);
    expect(Math.max(...(await tile(3, 3).data()))).toBe(-1);
    tf.dispose([z, a!, b!, c!, images, expected, figure.images]);
    disposeAll(result);
  });

  it('renders the result alone when asked for no neighbours', async () => {
    const z = sampleLatent(3, 8, 5);
    const result = vectorArithmetic(generator, { a: z, b: z, c: z, neighbours: 0 });
    expect(result.resultImages.shape).toEqual([1, 16, 16, 1]);
    expect(result.centerIndex).toBe(0);
    const figure = arithmeticFigure(result);
    expect([figure.rows, figure.columns]).toEqual([4, 4]);
    expect(() => vectorArithmetic(generator, { a: z, b: z, c: z, neighbours: -1 })).toThrow(
      'Expected `neighbours` to be an integer >= 0, got `-1`',
    );
    tf.dispose([z, figure.images]);
    disposeAll(result);
  });

  it('A - A + A renders A itself (one vector per concept)', async () => {
    const z = sampleLatent(1, 8, 8);
    const result = vectorArithmetic(generator, { a: z, b: z, c: z, neighbours: 8, noiseScale: 0 });
    const alone = generate(generator, z);
    for (let index = 0; index < 9; index++)
      expect(await maxDifference(tf.slice(result.resultImages, [index], [1]), alone)).toBeLessThan(1e-5);
    tf.dispose([z, alone]);
    disposeAll(result);
  });
});

describe('turnWalk (figure 8)', () => {
  it('moves each sample along mean(to) - mean(from); amount 0 is the sample itself', async () => {
    const from = sampleLatent(4, 8, 20);
    const to = sampleLatent(4, 8, 21);
    const samples = sampleLatent(3, 8, 22);
    const turn = turnWalk(generator, { from, to, samples, steps: 5, range: [-1, 1] });
    expect([turn.rows, turn.columns]).toEqual([3, 5]);
    expect(turn.amounts).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(turn.images.shape).toEqual([15, 16, 16, 1]);
    const plain = generate(generator, samples);
    for (let row = 0; row < 3; row++) {
      expect(await maxDifference(tf.slice(turn.images, [row * 5 + 2], [1]), tf.slice(plain, [row], [1]))).toBeLessThan(
        1e-5,
      );
    }
    // The last column differs from the first: the direction does something.
    expect(await maxDifference(tf.slice(turn.images, [0], [1]), tf.slice(turn.images, [4], [1]))).toBeGreaterThan(1e-4);
    tf.dispose([from, to, samples, plain]);
    disposeAll(turn);
  });
});
