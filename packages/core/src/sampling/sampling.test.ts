import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenerator } from '../model/generator';
import { useCpuBackend } from '../test-support/cpu-backend';
import { generate } from './generate';
import { imageGrid, sampleGrid } from './image-grid';
import { sampleLatent } from './sample-latent';

beforeAll(useCpuBackend);

describe('sampleLatent', () => {
  it('draws z uniform in [-1, 1], reproducibly from the seed', () => {
    const z = sampleLatent(500, 100, 42);
    expect(z.shape).toEqual([500, 100]);
    const values = Array.from(z.dataSync());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(1 / 3, 2); // variance of U(-1, 1)
    expect(Array.from(sampleLatent(500, 100, 42).dataSync())).toEqual(values);
    expect(Array.from(sampleLatent(500, 100, 43).dataSync())).not.toEqual(values);
  });

  it('rejects bad arguments', () => {
    expect(() => sampleLatent(0, 100, 1)).toThrow('Expected `count` to be a positive integer, got `0`');
    expect(() => sampleLatent(4, 100, -1)).toThrow('Expected `seed` to be a non-negative integer, got `-1`');
  });
});

describe('generate', () => {
  it('runs in inference mode: an image does not depend on the rest of its batch', () => {
    const generator = createGenerator({ imageSize: 16, baseWidth: 8, latentDim: 10 });
    const z = sampleLatent(5, 10, 1);
    const all = generate(generator, z, { batchSize: 5 });
    const firstZ = tf.slice(z, [0, 0], [1, 10]);
    const firstAlone = generate(generator, firstZ);
    const allValues = all.dataSync();
    const aloneValues = firstAlone.dataSync();
    for (let index = 0; index < aloneValues.length; index++)
      expect(allValues[index]).toBeCloseTo(aloneValues[index]!, 5);
    // In training mode (batch statistics) the same image would change with its batch.
    const training = tf.tidy(() => generator.apply(z, { training: true }) as tf.Tensor);
    expect(Math.abs(training.dataSync()[0]! - aloneValues[0]!)).toBeGreaterThan(1e-4);
    expect(all.shape).toEqual([5, 16, 16, 3]);
    expect(Math.max(...Array.from(allValues).map(Math.abs))).toBeLessThanOrEqual(1);
    expect(() => generate(generator, sampleLatent(2, 11, 1))).toThrow(
      'Expected `z` to have shape [count, 10], got [2, 11]',
    );
    tf.dispose([z, firstZ, all, firstAlone, training]);
    generator.dispose();
  });
});

describe('imageGrid', () => {
  it('tiles images row by row, mapping [-1, 1] to [0, 255], with padding', async () => {
    // Three 1x2 RGB images: values chosen so every pixel's byte is known.
    const images = tf.tensor4d(
      [
        [-1, 0, 1, 1, 1, 1],
        [0.5, -0.5, 0, -1, -1, -1],
        [2, -2, 0.999, 0, 0, 0],
      ].flat(),
      [3, 1, 2, 3],
    );
    const grid = await imageGrid(images, { columns: 2, padding: 1, background: 7 });
    expect(grid).toMatchObject({ width: 2 * 2 + 3, height: 2 * 1 + 3, channels: 3 });
    const pixel = (x: number, y: number) =>
      Array.from(grid.data.subarray((y * grid.width + x) * 3, (y * grid.width + x) * 3 + 3));
    expect(pixel(0, 0)).toEqual([7, 7, 7]);
    expect(pixel(1, 1)).toEqual([0, 128, 255]); // (0 + 1) * 127.5 = 127.5 rounds to 128
    expect(pixel(2, 1)).toEqual([255, 255, 255]);
    expect(pixel(3, 1)).toEqual([7, 7, 7]);
    expect(pixel(4, 1)).toEqual([191, 64, 128]);
    expect(pixel(5, 1)).toEqual([0, 0, 0]);
    expect(pixel(1, 3)).toEqual([255, 0, 255]); // clamped
    expect(pixel(2, 3)).toEqual([128, 128, 128]);
    expect(pixel(4, 3)).toEqual([7, 7, 7]); // the empty fourth cell
    expect(grid.data).toHaveLength(7 * 5 * 3);
    images.dispose();
  });

  it('sampleGrid draws a grayscale grid from fixed noise without leaking tensors', async () => {
    const generator = createGenerator({ imageSize: 16, channels: 1, baseWidth: 8, latentDim: 10 });
    const z = sampleLatent(6, 10, 3);
    const before = tf.memory().numTensors;
    const grid = await sampleGrid(generator, z);
    expect(tf.memory().numTensors).toBe(before);
    expect(grid).toMatchObject({ width: 3 * 16 + 4 * 2, height: 2 * 16 + 3 * 2, channels: 1 });
    expect(await sampleGrid(generator, z)).toEqual(grid);
    z.dispose();
    generator.dispose();
  });
});
