import * as tf from '@tensorflow/tfjs-core';
import { DcganError, deriveSeed } from '@dcgan/common';
import { validateSeed } from '../model/seed';
import { validateFeatureMatrix, type FeatureMatrix } from './feature-matrix';

/** Options of {@link kernelDistance}. */
export interface KernelDistanceOptions {
  /**
   * Number of random subsets the MMD is averaged over (torch-fidelity's `kid_subsets`).
   * @default 100
   */
  readonly subsets?: number;
  /**
   * Images per subset, drawn without replacement from each set (torch-fidelity's `kid_subset_size`). When it
   * equals a set's size every subset is the whole set and `kidStd` is 0 (clean-fid's behaviour).
   * @default 1000, or the smaller set's size when that is less
   */
  readonly subsetSize?: number;
  /**
   * Seed of the subset draws.
   * @default 0
   */
  readonly seed?: number;
  /**
   * Source of uniform numbers in [0, 1) for the subset draws, instead of `seed` (tests replay a stream).
   * @default a seeded tfjs stream
   */
  readonly random?: () => number;
  /**
   * Largest number of kernel values (`n1^2 + n2^2 + n1 n2`) computed once for the whole sets; above it each
   * subset's kernels are computed from its rows (slower, less memory). Results are the same either way.
   * @default 12,582,912 (96 MiB of float64)
   */
  readonly maxKernelEntries?: number;
}

/** KID: the mean of the subset estimates and their spread. */
export interface KernelDistance {
  /** Mean of the unbiased MMD^2 estimates over subsets. */
  readonly kid: number;
  /** Standard deviation of the subset estimates (numpy's `std`, ddof 0), torch-fidelity's `kernel_inception_distance_std`. */
  readonly kidStd: number;
  /** Standard error of `kid`: `kidStd / sqrt(subsets)`. */
  readonly kidStandardError: number;
  readonly subsets: number;
  readonly subsetSize: number;
}

/**
 * Kernel Inception Distance (Bińkowski et al. 2018) as torch-fidelity and clean-fid compute it: the unbiased
 * MMD^2 with the cubic polynomial kernel `k(x, y) = (x·y / d + 1)^3`, averaged over random subsets of
 * `subsetSize` rows of each set, in float64. Subsets are partial Fisher-Yates shuffles: the i-th pick of a
 * subset swaps position i with `i + floor(u * (rows - i))` for the next uniform `u`.
 *
 * @example
 * ```ts
 * const { kid, kidStd } = kernelDistance(realFeatures, fakeFeatures, { subsets: 100, subsetSize: 1000 });
 * ```
 */
export function kernelDistance(
  first: FeatureMatrix,
  second: FeatureMatrix,
  options: KernelDistanceOptions = {},
): KernelDistance {
  validateFeatureMatrix(first, 'first', 2);
  validateFeatureMatrix(second, 'second', 2);
  if (first.columns !== second.columns) {
    throw new DcganError(`Expected features of the same size, got ${first.columns} and ${second.columns} columns`);
  }
  const subsets = options.subsets ?? 100;
  if (!Number.isInteger(subsets) || subsets < 1)
    throw new DcganError(`Expected \`subsets\` to be a positive integer, got \`${String(subsets)}\``);
  const smaller = Math.min(first.rows, second.rows);
  const subsetSize = options.subsetSize ?? Math.min(1000, smaller);
  if (!Number.isInteger(subsetSize) || subsetSize < 2 || subsetSize > smaller) {
    throw new DcganError(
      `Expected \`subsetSize\` to be an integer in 2..${smaller} (the smaller set's size), got \`${String(subsetSize)}\``,
    );
  }
  const random = options.random ?? seededUniforms(validateSeed(options.seed ?? 0), subsets * 2 * subsetSize);
  const maxKernelEntries = options.maxKernelEntries ?? 12 * 2 ** 20;
  const estimates = new Float64Array(subsets);
  const whole = first.rows ** 2 + second.rows ** 2 + first.rows * second.rows <= maxKernelEntries;
  // Kernels of the whole sets once (subsets then only sum entries), or of each subset's rows when too large.
  const kernels = whole ? wholeSetKernels(first, second) : undefined;
  for (let subset = 0; subset < subsets; subset++) {
    const rowsOfFirst = drawSubset(first.rows, subsetSize, random);
    const rowsOfSecond = drawSubset(second.rows, subsetSize, random);
    if (kernels !== undefined) {
      // The estimate does not depend on row order; ascending rows read the kernels with far fewer cache misses.
      estimates[subset] = unbiasedMmd2(kernels, rowsOfFirst.slice().sort(), rowsOfSecond.slice().sort());
    } else {
      const identity = Uint32Array.from({ length: subsetSize }, (_, index) => index);
      estimates[subset] = unbiasedMmd2(
        wholeSetKernels(gatherRows(first, rowsOfFirst), gatherRows(second, rowsOfSecond)),
        identity,
        identity,
      );
    }
  }
  let mean = 0;
  for (const value of estimates) mean += value;
  mean /= subsets;
  let variance = 0;
  for (const value of estimates) variance += (value - mean) ** 2;
  const kidStd = Math.sqrt(variance / subsets);
  return { kid: mean, kidStd, kidStandardError: kidStd / Math.sqrt(subsets), subsets, subsetSize };
}

/** A stream of `count` seeded uniforms drawn by tfjs (the same on every backend), then Math.random-free. */
function seededUniforms(seed: number, count: number): () => number {
  const values = tf.tidy(() => tf.randomUniform([count], 0, 1, 'float32', deriveSeed(seed, 'kid')).dataSync());
  let next = 0;
  return () => {
    if (next >= values.length) throw new DcganError('kernelDistance: ran out of seeded random numbers');
    return values[next++]!;
  };
}

/** The first `size` positions of a partial Fisher-Yates shuffle of 0..rows-1. */
function drawSubset(rows: number, size: number, random: () => number): Uint32Array {
  const order = new Uint32Array(rows);
  for (let index = 0; index < rows; index++) order[index] = index;
  for (let index = 0; index < size; index++) {
    const pick = index + Math.min(rows - index - 1, Math.floor(random() * (rows - index)));
    const swap = order[index]!;
    order[index] = order[pick]!;
    order[pick] = swap;
  }
  return order.subarray(0, size);
}

function gatherRows(matrix: FeatureMatrix, rows: Uint32Array): FeatureMatrix {
  const { columns, values } = matrix;
  const gathered = new Float64Array(rows.length * columns);
  rows.forEach((row, index) => {
    for (let column = 0; column < columns; column++)
      gathered[index * columns + column] = values[row * columns + column]!;
  });
  return { rows: rows.length, columns, values: gathered };
}

interface Kernels {
  /** k(x_i, x_j), row-major `rows(x) x rows(x)`; likewise `yy` and `xy` (`rows(x) x rows(y)`). */
  readonly xx: Float64Array;
  readonly yy: Float64Array;
  readonly xy: Float64Array;
  readonly rowsOfX: number;
  readonly rowsOfY: number;
}

function wholeSetKernels(x: FeatureMatrix, y: FeatureMatrix): Kernels {
  const xValues = Float64Array.from(x.values);
  const yValues = Float64Array.from(y.values);
  return {
    xx: cubicKernelMatrix(xValues, x.rows, xValues, x.rows, x.columns, true),
    yy: cubicKernelMatrix(yValues, y.rows, yValues, y.rows, y.columns, true),
    xy: cubicKernelMatrix(xValues, x.rows, yValues, y.rows, x.columns, false),
    rowsOfX: x.rows,
    rowsOfY: y.rows,
  };
}

/** `(a_i . b_j / d + 1)^3` for all row pairs, in float64 (only i < j filled when `symmetric`). */
function cubicKernelMatrix(
  a: Float64Array,
  rowsOfA: number,
  b: Float64Array,
  rowsOfB: number,
  d: number,
  symmetric: boolean,
): Float64Array {
  const result = new Float64Array(rowsOfA * rowsOfB);
  // Four running sums: 1.8x faster than one in Node 20 at d = 64 (measured), same values to rounding.
  const whole = d - (d % 4);
  for (let i = 0; i < rowsOfA; i++) {
    const aBase = i * d;
    for (let j = symmetric ? i + 1 : 0; j < rowsOfB; j++) {
      const bBase = j * d;
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      let k = 0;
      for (; k < whole; k += 4) {
        sum0 += a[aBase + k]! * b[bBase + k]!;
        sum1 += a[aBase + k + 1]! * b[bBase + k + 1]!;
        sum2 += a[aBase + k + 2]! * b[bBase + k + 2]!;
        sum3 += a[aBase + k + 3]! * b[bBase + k + 3]!;
      }
      for (; k < d; k++) sum0 += a[aBase + k]! * b[bBase + k]!;
      const value = (sum0 + sum1 + sum2 + sum3) / d + 1;
      result[i * rowsOfB + j] = value * value * value;
    }
  }
  return result;
}

/**
 * Unbiased MMD^2 of equal-size subsets: off-diagonal means of K_XX and K_YY minus twice the mean of K_XY.
 * Rows must be ascending (the symmetric kernels hold only their upper triangles).
 */
function unbiasedMmd2(kernels: Kernels, rowsOfX: Uint32Array, rowsOfY: Uint32Array): number {
  const m = rowsOfX.length;
  const { xx, yy, xy, rowsOfX: nx, rowsOfY: ny } = kernels;
  let withinX = 0;
  let withinY = 0;
  let across = 0;
  for (let i = 0; i < m; i++) {
    const xi = rowsOfX[i]!;
    const yi = rowsOfY[i]!;
    for (let j = i + 1; j < m; j++) {
      const xj = rowsOfX[j]!;
      const yj = rowsOfY[j]!;
      withinX += xx[xi * nx + xj]!;
      withinY += yy[yi * ny + yj]!;
    }
    const base = xi * ny;
    for (let j = 0; j < m; j++) across += xy[base + rowsOfY[j]!]!;
  }
  return (2 * (withinX + withinY)) / (m * (m - 1)) - (2 * across) / (m * m);
}
