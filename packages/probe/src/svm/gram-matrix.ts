import { ProbeError } from '../errors/probe-error';
import type { FeatureMatrix } from './feature-matrix';

/**
 * The Gram matrix `K_ij = x_i . x_j + bias^2` of a feature matrix (the kernel of a linear SVM with
 * LIBLINEAR's bias feature), row-major `rows x rows`, float64. With few rows and many features (1,000 x
 * 28,672 in the few-label protocols) dual coordinate descent on K costs O(rows) per step instead of
 * O(features), and one K serves every class and every C.
 */
export interface GramMatrix {
  readonly rowCount: number;
  readonly bias: number;
  readonly values: Float64Array;
  /** The matrix it was computed from (checked when used). */
  readonly features: FeatureMatrix;
}

/** Largest Gram matrix computed automatically (rows); 4,096 rows take 128 MiB. */
export const automaticGramRowLimit = 4096;

/**
 * Computes `x_i . x_j + bias^2` for all row pairs, four rows at a time (each pass over row j feeds four
 * dot products, so rows are read from memory a quarter as often).
 *
 * @example
 * ```ts
 * const gram = computeGramMatrix(features, 1);
 * const model = trainLinearSvm(features, labels, { cost: 0.01, gram });
 * ```
 */
export function computeGramMatrix(features: FeatureMatrix, bias: number): GramMatrix {
  const rowCount = features.rowCount;
  if (rowCount * rowCount > 2 ** 28)
    throw new ProbeError(
      `A Gram matrix of ${rowCount} rows would need ${((rowCount * rowCount * 8) / 2 ** 30).toFixed(1)} GiB; use the primal bookkeeping`,
    );
  const values = new Float64Array(rowCount * rowCount);
  const biasSquared = bias * bias;
  const rows = [...features];
  const length = features.columnCount;
  for (let i = 0; i < rowCount; i += 4) {
    const a = rows[i]!;
    const b = rows[Math.min(i + 1, rowCount - 1)]!;
    const c = rows[Math.min(i + 2, rowCount - 1)]!;
    const d = rows[Math.min(i + 3, rowCount - 1)]!;
    for (let j = 0; j < Math.min(i + 4, rowCount); j++) {
      const x = rows[j]!;
      let sa = 0;
      let sb = 0;
      let sc = 0;
      let sd = 0;
      for (let k = 0; k < length; k++) {
        const value = x[k]!;
        sa += value * a[k]!;
        sb += value * b[k]!;
        sc += value * c[k]!;
        sd += value * d[k]!;
      }
      const sums = [sa, sb, sc, sd];
      for (let offset = 0; offset < 4 && i + offset < rowCount; offset++) {
        const row = i + offset;
        if (j > row) continue;
        values[row * rowCount + j] = sums[offset]! + biasSquared;
        values[j * rowCount + row] = sums[offset]! + biasSquared;
      }
    }
  }
  return { rowCount, bias, values, features };
}
