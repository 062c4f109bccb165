import { ProbeError } from '../errors/probe-error';
import { FeatureMatrix } from './feature-matrix';

/**
 * Per-feature mean and scale of a training set, as scikit-learn's `StandardScaler` computes them: the
 * population standard deviation (divided by n), and scale 1 for a constant feature (so it maps to 0).
 */
export interface Standardization {
  readonly mean: Float32Array;
  readonly scale: Float32Array;
}

/**
 * Mean and standard deviation of every column, in float64 (two passes, so large means do not cancel
 * the variance).
 *
 * @example
 * ```ts
 * const statistics = fitStandardization(trainFeatures);
 * const train = applyStandardization(trainFeatures, statistics);
 * const test = applyStandardization(testFeatures, statistics);
 * ```
 */
export function fitStandardization(matrix: FeatureMatrix): Standardization {
  if (matrix.rowCount === 0) throw new ProbeError('Cannot standardize a matrix with no rows');
  const columns = matrix.columnCount;
  const sum = new Float64Array(columns);
  for (const row of matrix) for (let column = 0; column < columns; column++) sum[column]! += row[column]!;
  const mean = new Float64Array(columns);
  for (let column = 0; column < columns; column++) mean[column] = sum[column]! / matrix.rowCount;
  const squares = new Float64Array(columns);
  for (const row of matrix) {
    for (let column = 0; column < columns; column++) {
      const deviation = row[column]! - mean[column]!;
      squares[column]! += deviation * deviation;
    }
  }
  const scale = new Float32Array(columns);
  for (let column = 0; column < columns; column++) {
    const deviation = Math.sqrt(squares[column]! / matrix.rowCount);
    // Like StandardScaler: a (numerically) constant column keeps scale 1.
    scale[column] = deviation > 10 * Number.EPSILON * Math.max(1, Math.abs(mean[column]!)) ? deviation : 1;
  }
  return { mean: Float32Array.from(mean), scale };
}

/**
 * `(x - mean) / scale` for every row: into a new matrix, or into `matrix` itself with `inPlace` (for
 * feature sets too large to hold twice).
 *
 * @example
 * ```ts
 * applyStandardization(features, fitStandardization(features), { inPlace: true });
 * ```
 */
export function applyStandardization(
  matrix: FeatureMatrix,
  standardization: Standardization,
  options: { readonly inPlace?: boolean } = {},
): FeatureMatrix {
  const { mean, scale } = standardization;
  if (mean.length !== matrix.columnCount || scale.length !== matrix.columnCount) {
    throw new ProbeError(
      `Expected standardization statistics for ${matrix.columnCount} features, got ${mean.length} means and ${scale.length} scales`,
    );
  }
  const target = options.inPlace === true ? matrix : FeatureMatrix.allocate(matrix.rowCount, matrix.columnCount);
  const inverse = new Float64Array(scale.length);
  for (let column = 0; column < scale.length; column++) inverse[column] = 1 / scale[column]!;
  for (let index = 0; index < matrix.rowCount; index++) {
    const source = matrix.row(index);
    const destination = target.row(index);
    for (let column = 0; column < source.length; column++)
      destination[column] = (source[column]! - mean[column]!) * inverse[column]!;
  }
  return target;
}

/**
 * A model trained on standardised features, rewritten to take raw features:
 * `w . (x - mean) / scale + b = (w / scale) . x + (b - sum(w * mean / scale))`. Saves standardising
 * (copying) large validation and test sets.
 *
 * @example
 * ```ts
 * const statistics = fitStandardization(train);
 * const model = foldStandardization(trainLinearSvm(applyStandardization(train, statistics), labels), statistics);
 * predictLinearSvm(model, rawTest);
 * ```
 */
export function foldStandardization<
  Model extends {
    readonly weights: readonly Float64Array[];
    readonly intercepts: Float64Array;
    readonly columnCount: number;
  },
>(model: Model, standardization: Standardization): Model {
  const { mean, scale } = standardization;
  if (mean.length !== model.columnCount)
    throw new ProbeError(`Expected standardization statistics for ${model.columnCount} features, got ${mean.length}`);
  const intercepts = Float64Array.from(model.intercepts);
  const weights = model.weights.map((weights, classifier) => {
    const folded = new Float64Array(weights.length);
    let shift = 0;
    for (let column = 0; column < weights.length; column++) {
      folded[column] = weights[column]! / scale[column]!;
      shift += folded[column]! * mean[column]!;
    }
    intercepts[classifier]! -= shift;
    return folded;
  });
  return { ...model, weights, intercepts };
}
