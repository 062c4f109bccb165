import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../test-support/cpu-backend';
import type { FeatureMatrix } from './feature-matrix';
import { featureStatistics, frechetDistance } from './frechet-distance';
import { kernelDistance } from './kernel-distance';
import { symmetricEigen } from './symmetric-eigen';

beforeAll(useCpuBackend);

interface Case {
  readonly first: { rows: number; columns: number; values: number[] };
  readonly second: { rows: number; columns: number; values: number[] };
  readonly fid: number;
  readonly kid: { subsets: number; subsetSize: number; uniforms: number[]; kid: number; kidStd: number };
}

// Made by scripts/make-quality-fixtures.py with Debian's numpy and scipy (pytorch-fid's and torch-fidelity's formulas).
const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/quality/${name}.json`, import.meta.url), 'utf8')) as T;
const matrix = (part: Case['first']): FeatureMatrix => ({
  rows: part.rows,
  columns: part.columns,
  values: Float64Array.from(part.values),
});
const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('symmetricEigen', () => {
  it('gives numpy.linalg.eigvalsh eigenvalues of a 40x40 symmetric matrix with a zero row, and orthonormal vectors', () => {
    const { n, matrix: values, values: expected } = fixture<{ n: number; matrix: number[]; values: number[] }>('eigen');
    const { values: actual, vectors } = symmetricEigen(Float64Array.from(values), n);
    actual.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 9));
    // A v = l v for every pair.
    for (let column = 0; column < n; column++) {
      for (let row = 0; row < n; row++) {
        let product = 0;
        for (let k = 0; k < n; k++) product += values[row * n + k]! * vectors![k * n + column]!;
        expect(product).toBeCloseTo(actual[column]! * vectors![row * n + column]!, 9);
      }
    }
  });
});

describe.each(['separated', 'same-distribution', 'singular'])('FID and KID on the %s fixture', (name) => {
  const data = fixture<Case>(name);

  it('FID matches scipy.linalg.sqrtm (pytorch-fid) within 1e-3 relative', () => {
    const fid = frechetDistance(featureStatistics(matrix(data.first)), featureStatistics(matrix(data.second)));
    expect(relative(fid, data.fid)).toBeLessThan(1e-3);
  });

  it.each([
    ['whole-set kernels', undefined],
    ['per-subset kernels', 0],
  ])(
    'KID and its std match numpy (torch-fidelity) within 1e-3 relative on the same subsets (%s)',
    (_, maxKernelEntries) => {
      const uniforms = data.kid.uniforms;
      let next = 0;
      const result = kernelDistance(matrix(data.first), matrix(data.second), {
        subsets: data.kid.subsets,
        subsetSize: data.kid.subsetSize,
        random: () => uniforms[next++]!,
        ...(maxKernelEntries === undefined ? {} : { maxKernelEntries }),
      });
      expect(next).toBe(uniforms.length);
      expect(relative(result.kid, data.kid.kid)).toBeLessThan(1e-3);
      expect(relative(result.kidStd, data.kid.kidStd)).toBeLessThan(1e-3);
      expect(result.kidStandardError).toBeCloseTo(result.kidStd / Math.sqrt(data.kid.subsets), 12);
    },
  );
});

describe('KID with a feature size that is not a multiple of 4', () => {
  it('matches the textbook unbiased MMD^2 written out naively on the same subsets', () => {
    const d = 7;
    const values = (rows: number, shift: number) =>
      Float64Array.from({ length: rows * d }, (_, index) => Math.sin(index * 1.7 + shift) + shift / 4);
    const first = { rows: 30, columns: d, values: values(30, 0) };
    const second = { rows: 25, columns: d, values: values(25, 1) };
    const uniforms = Array.from(
      { length: 60 },
      (_, index) => ((Math.sin(index * 12.9898) * 43758.5453) % 1) + (Math.sin(index * 12.9898) < 0 ? 1 : 0),
    );
    let next = 0;
    const result = kernelDistance(first, second, { subsets: 3, subsetSize: 10, random: () => uniforms[next++]! });
    // The same partial Fisher-Yates picks, then the estimator term by term.
    next = 0;
    const pick = (rows: number) => {
      const order = Array.from({ length: rows }, (_, index) => index);
      for (let i = 0; i < 10; i++) {
        const j = i + Math.floor(uniforms[next++]! * (rows - i));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return order.slice(0, 10);
    };
    const kernel = (a: FeatureMatrix, i: number, b: FeatureMatrix, j: number) => {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += a.values[i * d + k]! * b.values[j * d + k]!;
      return (dot / d + 1) ** 3;
    };
    const estimates = [0, 1, 2].map(() => {
      const x = pick(30);
      const y = pick(25);
      let xx = 0;
      let yy = 0;
      let xy = 0;
      for (const i of x) for (const j of x) if (i !== j) xx += kernel(first, i, first, j);
      for (const i of y) for (const j of y) if (i !== j) yy += kernel(second, i, second, j);
      for (const i of x) for (const j of y) xy += kernel(first, i, second, j);
      return xx / 90 + yy / 90 - (2 * xy) / 100;
    });
    const mean = estimates.reduce((sum, value) => sum + value, 0) / 3;
    expect(result.kid).toBeCloseTo(mean, 10);
    expect(result.kidStd).toBeCloseTo(
      Math.sqrt(estimates.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 3),
      10,
    );
  });
});

describe('FID and KID basics', () => {
  const data = fixture<Case>('separated');

  it('FID of a set with itself is 0 and FID is symmetric', () => {
    const first = featureStatistics(matrix(data.first));
    const second = featureStatistics(matrix(data.second));
    expect(Math.abs(frechetDistance(first, first))).toBeLessThan(1e-9);
    expect(frechetDistance(first, second)).toBeCloseTo(frechetDistance(second, first), 8);
  });

  it('KID is reproducible per seed and rejects bad settings with the setting named', () => {
    const options = { subsets: 4, subsetSize: 50, seed: 3 };
    const once = kernelDistance(matrix(data.first), matrix(data.second), options);
    expect(kernelDistance(matrix(data.first), matrix(data.second), options)).toEqual(once);
    expect(kernelDistance(matrix(data.first), matrix(data.second), { ...options, seed: 4 }).kid).not.toBe(once.kid);
    expect(() => kernelDistance(matrix(data.first), matrix(data.second), { subsetSize: 151 })).toThrow(
      /`subsetSize` to be an integer in 2\.\.150/,
    );
    expect(() => kernelDistance(matrix(data.first), { rows: 2, columns: 3, values: new Float64Array(6) })).toThrow(
      /same size, got 16 and 3/,
    );
    expect(() => featureStatistics({ rows: 2, columns: 2, values: Float64Array.of(0, Number.NaN, 1, 1) })).toThrow(
      /finite, got `NaN` in row 0/,
    );
  });
});
