import { DcganError } from '@dcgan/common';
import { validateFeatureMatrix, type FeatureMatrix } from './feature-matrix';
import { symmetricEigen } from './symmetric-eigen';

/** Mean and covariance of a set of features, in float64 (the Gaussian that FID fits). */
export interface FeatureStatistics {
  readonly count: number;
  readonly size: number;
  readonly mean: Float64Array;
  /** Row-major `size x size`, unbiased (divides by `count - 1`, as numpy's `np.cov`). */
  readonly covariance: Float64Array;
}

/**
 * Mean and unbiased covariance of feature rows, accumulated in float64.
 *
 * @example
 * ```ts
 * const statistics = featureStatistics({ rows: 2, columns: 2, values: Float64Array.of(0, 1, 2, 3) });
 * ```
 */
export function featureStatistics(features: FeatureMatrix): FeatureStatistics {
  validateFeatureMatrix(features, 'features', 2);
  const { rows, columns, values } = features;
  const mean = new Float64Array(columns);
  for (let row = 0; row < rows; row++) {
    const base = row * columns;
    for (let column = 0; column < columns; column++) mean[column] = mean[column]! + values[base + column]!;
  }
  for (let column = 0; column < columns; column++) mean[column] = mean[column]! / rows;
  const covariance = new Float64Array(columns * columns);
  const centred = new Float64Array(columns);
  for (let row = 0; row < rows; row++) {
    const base = row * columns;
    for (let column = 0; column < columns; column++) centred[column] = values[base + column]! - mean[column]!;
    // Upper triangle only; mirrored below.
    for (let i = 0; i < columns; i++) {
      const value = centred[i]!;
      if (value === 0) continue;
      const offset = i * columns;
      for (let j = i; j < columns; j++) covariance[offset + j] = covariance[offset + j]! + value * centred[j]!;
    }
  }
  for (let i = 0; i < columns; i++) {
    for (let j = i; j < columns; j++) {
      const value = covariance[i * columns + j]! / (rows - 1);
      covariance[i * columns + j] = value;
      covariance[j * columns + i] = value;
    }
  }
  return { count: rows, size: columns, mean, covariance };
}

/**
 * Fréchet distance between two Gaussians (FID when the statistics are of Inception features):
 * `|m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))`. The trace of the square root is taken from the
 * eigenvalues of the symmetric `S1^(1/2) S2 S1^(1/2)` (similar to `S1 S2`), in float64, so it is defined for
 * singular covariances too (fewer images than features), where pytorch-fid's `sqrtm` needs an offset.
 *
 * @example
 * ```ts
 * const fid = frechetDistance(featureStatistics(real), featureStatistics(fake));
 * ```
 */
export function frechetDistance(first: FeatureStatistics, second: FeatureStatistics): number {
  const n = first.size;
  if (second.size !== n)
    throw new DcganError(`Expected statistics of the same feature size, got ${n} and ${second.size}`);
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (first.mean[i]! - second.mean[i]!) ** 2;
  let traces = 0;
  for (let i = 0; i < n; i++) traces += first.covariance[i * n + i]! + second.covariance[i * n + i]!;
  return meanTerm + traces - 2 * traceOfSquareRootProduct(first.covariance, second.covariance, n);
}

/** tr((A B)^(1/2)) for symmetric positive semi-definite A and B (row-major n x n). */
export function traceOfSquareRootProduct(a: Float64Array, b: Float64Array, n: number): number {
  const { values, vectors } = symmetricEigen(a, n);
  // R = A^(1/2) = V diag(sqrt(l)) V^T = W W^T with W = V diag(l^(1/4)) (tiny negative eigenvalues are rounding).
  const scaled = new Float64Array(n * n);
  for (let row = 0; row < n; row++) {
    for (let column = 0; column < n; column++)
      scaled[row * n + column] = vectors![row * n + column]! * Math.sqrt(Math.sqrt(Math.max(values[column]!, 0)));
  }
  const root = multiplyTransposed(scaled, scaled, n);
  const middle = multiply(multiply(root, b, n), root, n);
  // Symmetrise away rounding before the symmetric solver.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const value = (middle[i * n + j]! + middle[j * n + i]!) / 2;
      middle[i * n + j] = value;
      middle[j * n + i] = value;
    }
  }
  let trace = 0;
  for (const value of symmetricEigen(middle, n, false).values) trace += Math.sqrt(Math.max(value, 0));
  return trace;
}

/** A B for row-major n x n matrices. */
function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const result = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const out = i * n;
    for (let k = 0; k < n; k++) {
      const value = a[i * n + k]!;
      if (value === 0) continue;
      const row = k * n;
      for (let j = 0; j < n; j++) result[out + j] = result[out + j]! + value * b[row + j]!;
    }
  }
  return result;
}

/** A B^T for row-major n x n matrices. */
function multiplyTransposed(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const result = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k]! * b[j * n + k]!;
      result[i * n + j] = sum;
    }
  }
  return result;
}
