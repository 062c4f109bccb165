import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatentError } from '../errors/latent-error';
import { maxDifference, useCpuBackend } from '../test-support/tiny-models';
import { evenFractions, interpolate, interpolationPath } from './interpolate';

beforeAll(useCpuBackend);

/** Deterministic test vectors (a Weyl sequence), plain numbers. */
function vector(dimension: number, offset: number): number[] {
  return Array.from({ length: dimension }, (_, index) => (((index + 1) * 0.618034 + offset) % 1) * 2 - 1);
}

const norm = (values: number[]) => Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

/**
 * Slerp written independently of the sine formula, as a rotation in the plane of the two vectors:
 * for vectors of equal length r, the point at fraction t is r (u cos(t omega) + v sin(t omega)) with u
 * the unit start vector and v the unit vector orthogonal to u towards the end (Gram-Schmidt).
 */
function rotationSlerp(a: number[], b: number[], t: number): number[] {
  const radius = norm(a);
  const u = a.map((value) => value / radius);
  const bUnit = b.map((value) => value / norm(b));
  const omega = Math.acos(dot(u, bUnit));
  const orthogonal = bUnit.map((value, index) => value - dot(u, bUnit) * u[index]!);
  const v = orthogonal.map((value) => value / norm(orthogonal));
  return u.map((value, index) => radius * (value * Math.cos(t * omega) + v[index]! * Math.sin(t * omega)));
}

describe('interpolate', () => {
  it('linear: (1 - t) a + t b, endpoints exact', async () => {
    const a = vector(16, 0.1);
    const b = vector(16, 0.7);
    const fractions = [0, 0.25, 0.5, 1, 1.5];
    const result = interpolate(tf.tensor1d(a), tf.tensor1d(b), fractions, 'linear');
    expect(result.shape).toEqual([5, 16]);
    const values = (await result.array()) as number[][];
    fractions.forEach((t, row) =>
      values[row]!.forEach((value, index) => expect(value).toBeCloseTo((1 - t) * a[index]! + t * b[index]!, 5)),
    );
    expect(values[0]).toEqual(a.map((value) => Math.fround(value)));
  });

  it('spherical matches an independent rotation formula (vectors of equal length)', async () => {
    const a = vector(100, 0.2);
    const rawB = vector(100, 0.55);
    const b = rawB.map((value) => (value * norm(a)) / norm(rawB));
    const fractions = evenFractions(7);
    const result = (await interpolate(tf.tensor1d(a), tf.tensor1d(b), fractions, 'spherical').array()) as number[][];
    fractions.forEach((t, row) => {
      const expected = rotationSlerp(a, b, t);
      const worst = Math.max(...expected.map((value, index) => Math.abs(value - result[row]![index]!)));
      expect(worst).toBeLessThan(2e-5);
      // Stays on the sphere, where linear interpolation cuts inside it.
      expect(norm(result[row]!)).toBeCloseTo(norm(a), 3);
    });
  });

  it('spherical between unequal lengths follows the sine formula (checked in double precision)', async () => {
    const a = vector(8, 0.3);
    const b = vector(8, 0.9).map((value) => value * 2.5);
    const omega = Math.acos(dot(a, b) / (norm(a) * norm(b)));
    const t = 0.3;
    const expected = a.map(
      (value, index) => (Math.sin((1 - t) * omega) * value + Math.sin(t * omega) * b[index]!) / Math.sin(omega),
    );
    const [row] = (await interpolate(tf.tensor1d(a), tf.tensor1d(b), t, 'spherical').array()) as number[][];
    row!.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
  });

  it('spherical falls back to the straight line for parallel vectors (no NaN)', async () => {
    const a = vector(10, 0.4);
    const b = a.map((value) => value * 3);
    const spherical = interpolate(tf.tensor1d(a), tf.tensor1d(b), [0, 0.5, 1], 'spherical');
    const linear = interpolate(tf.tensor1d(a), tf.tensor1d(b), [0, 0.5, 1], 'linear');
    expect(await maxDifference(spherical, linear)).toBeLessThan(1e-5);
    expect(Array.from(await spherical.data()).every(Number.isFinite)).toBe(true);
  });

  it('rejects bad arguments with clear messages', () => {
    const a = tf.zeros([4]) as tf.Tensor1D;
    expect(() => interpolate(a, tf.zeros([5]) as tf.Tensor1D, 0.5)).toThrow('Expected `to` to have shape [4], got [5]');
    expect(() => interpolate(a, a, [], 'linear')).toThrow('Expected `fractions` to hold at least one number');
    expect(() => interpolate(a, a, 0.5, 'cubic' as never)).toThrow(
      'Expected `method` to be one of `linear`, `spherical`, got `cubic`',
    );
    expect(() => evenFractions(1)).toThrow('Expected `steps` to be an integer >= 2, got `1`');
    try {
      interpolate(a, a, Number.NaN);
    } catch (error) {
      expect(LatentError.isInstance(error)).toBe(true);
    }
  });
});

describe('interpolationPath', () => {
  it('walks through every waypoint, segments sharing their ends', async () => {
    const points = tf.tensor2d([vector(6, 0.1), vector(6, 0.5), vector(6, 0.8)]);
    for (const method of ['linear', 'spherical'] as const) {
      const path = interpolationPath(points, { stepsPerSegment: 5, method });
      expect(path.shape).toEqual([9, 6]);
      const rows = (await path.array()) as number[][];
      const waypoints = (await points.array()) as number[][];
      [0, 4, 8].forEach((row, index) =>
        rows[row]!.forEach((value, column) => expect(value).toBeCloseTo(waypoints[index]![column]!, 5)),
      );
    }
    expect(() => interpolationPath(tf.zeros([1, 6]) as tf.Tensor2D)).toThrow(
      'Expected `points` to have shape [count >= 2, latentDim], got [1, 6]',
    );
  });

  it('leaks no tensors', () => {
    const points = tf.tensor2d([vector(6, 0.1), vector(6, 0.5)]);
    interpolationPath(points, { method: 'spherical' }).dispose();
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) interpolationPath(points, { method: 'spherical' }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
