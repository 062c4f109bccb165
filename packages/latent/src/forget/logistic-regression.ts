import { LatentError } from '../errors/latent-error';
import { finiteAtLeast, integerAtLeast } from '../errors/validate';

/** Options of {@link fitLogisticRegression}. */
export interface LogisticRegressionOptions {
  /**
   * Strength of the L2 penalty `l2 / 2 * |w|^2` on the weights (not the intercept); scikit-learn's
   * `LogisticRegression(C=1 / l2)`. Must be > 0: it keeps the problem well posed when the classes
   * separate, and leaves maps that never fire at weight exactly 0.
   * @default 1
   */
  readonly l2?: number;
  /**
   * Most Newton steps.
   * @default 100
   */
  readonly maxIterations?: number;
  /**
   * Stop when every coordinate of the objective's gradient, divided by the number of rows, is below this.
   * @default 1e-10
   */
  readonly tolerance?: number;
}

/** A fitted logistic regression `P(y = 1 | x) = sigmoid(x . weights + bias)`. */
export interface LogisticRegressionModel {
  readonly weights: Float64Array;
  readonly bias: number;
  /** Newton steps taken. */
  readonly iterations: number;
  /** Whether the gradient fell below `tolerance` within `maxIterations`. */
  readonly converged: boolean;
  /** Fraction of training rows classified correctly at threshold 0.5. */
  readonly trainingAccuracy: number;
}

function logOnePlusExp(value: number): number {
  return value > 0 ? value + Math.log1p(Math.exp(-value)) : Math.log1p(Math.exp(value));
}

function sigmoid(value: number): number {
  return value >= 0 ? 1 / (1 + Math.exp(-value)) : Math.exp(value) / (1 + Math.exp(value));
}

/** Solves `matrix * x = vector` for a symmetric positive definite matrix (Cholesky), in place of nothing. */
function solvePositiveDefinite(matrix: Float64Array, vector: Float64Array, size: number): Float64Array {
  const lower = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column <= row; column++) {
      let sum = matrix[row * size + column]!;
      for (let k = 0; k < column; k++) sum -= lower[row * size + k]! * lower[column * size + k]!;
      if (row === column) {
        if (!(sum > 0))
          throw new LatentError(
            'Logistic regression: the Hessian is not positive definite (features hold NaN or infinity?)',
          );
        lower[row * size + row] = Math.sqrt(sum);
      } else {
        lower[row * size + column] = sum / lower[column * size + column]!;
      }
    }
  }
  const forward = new Float64Array(size);
  for (let row = 0; row < size; row++) {
    let sum = vector[row]!;
    for (let k = 0; k < row; k++) sum -= lower[row * size + k]! * forward[k]!;
    forward[row] = sum / lower[row * size + row]!;
  }
  const solution = new Float64Array(size);
  for (let row = size - 1; row >= 0; row--) {
    let sum = forward[row]!;
    for (let k = row + 1; k < size; k++) sum -= lower[k * size + row]! * solution[k]!;
    solution[row] = sum / lower[row * size + row]!;
  }
  return solution;
}

/**
 * Fits an L2-regularised logistic regression with an unpenalised intercept by Newton's method with
 * backtracking, minimising `sum_i log(1 + exp(-s_i (x_i . w + b))) + l2 / 2 * |w|^2` with
 * `s_i = +1` for label 1 and `-1` for label 0 (the objective of scikit-learn's `LogisticRegression`).
 * Double precision, deterministic, no tensors: the feature counts here (one per feature map, at most
 * a few hundred) make an exact solve cheap.
 *
 * @example
 * ```ts
 * const model = fitLogisticRegression(features, labels, 3); // rows of 3 features
 * ```
 */
export function fitLogisticRegression(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  dimension: number,
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  integerAtLeast(dimension, 'dimension', 1);
  const l2 = options.l2 ?? 1;
  if (typeof l2 !== 'number' || !Number.isFinite(l2) || l2 <= 0)
    throw new LatentError(`Expected \`l2\` to be a finite number > 0, got \`${String(l2)}\``);
  const maxIterations = integerAtLeast(options.maxIterations ?? 100, 'maxIterations', 1);
  const tolerance = finiteAtLeast(options.tolerance ?? 1e-10, 'tolerance', 0);
  const count = labels.length;
  if (count === 0) throw new LatentError('Logistic regression needs at least one row, got none');
  if (features.length !== count * dimension) {
    throw new LatentError(
      `Expected ${count} x ${dimension} = ${count * dimension} feature values for ${count} labels, got ${features.length}`,
    );
  }
  const signs = new Float64Array(count);
  for (let row = 0; row < count; row++) {
    const label = labels[row];
    if (label !== 0 && label !== 1)
      throw new LatentError(`Expected every label to be 0 or 1, got \`${String(label)}\` at row ${row}`);
    signs[row] = label === 1 ? 1 : -1;
  }
  for (let index = 0; index < features.length; index++) {
    if (!Number.isFinite(features[index]!))
      throw new LatentError(
        `Expected finite features, got \`${String(features[index])}\` at row ${Math.floor(index / dimension)}`,
      );
  }

  const size = dimension + 1; // weights, then the intercept
  let parameters = new Float64Array(size);
  const margins = (candidate: Float64Array) => {
    const result = new Float64Array(count);
    for (let row = 0; row < count; row++) {
      let sum = candidate[dimension]!;
      for (let column = 0; column < dimension; column++)
        sum += features[row * dimension + column]! * candidate[column]!;
      result[row] = sum;
    }
    return result;
  };
  const objective = (candidate: Float64Array, scores: Float64Array) => {
    let total = 0;
    for (let row = 0; row < count; row++) total += logOnePlusExp(-signs[row]! * scores[row]!);
    for (let column = 0; column < dimension; column++) total += (l2 / 2) * candidate[column]! ** 2;
    return total;
  };

  let scores = margins(parameters);
  let value = objective(parameters, scores);
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Float64Array(size);
    const hessian = new Float64Array(size * size);
    for (let row = 0; row < count; row++) {
      const probability = sigmoid(scores[row]!);
      const residual = probability - (signs[row]! > 0 ? 1 : 0);
      const curvature = probability * (1 - probability);
      const offset = row * dimension;
      for (let i = 0; i < size; i++) {
        const xi = i === dimension ? 1 : features[offset + i]!;
        gradient[i]! += residual * xi;
        if (curvature === 0 || xi === 0) continue;
        for (let j = 0; j <= i; j++) {
          const xj = j === dimension ? 1 : features[offset + j]!;
          hessian[i * size + j]! += curvature * xi * xj;
        }
      }
    }
    for (let i = 0; i < dimension; i++) {
      gradient[i]! += l2 * parameters[i]!;
      hessian[i * size + i]! += l2;
    }
    hessian[dimension * size + dimension]! += 1e-12; // an intercept on saturated rows still needs a pivot
    for (let i = 0; i < size; i++) for (let j = 0; j < i; j++) hessian[j * size + i] = hessian[i * size + j]!;
    // The gradient is a sum over rows, so its rounding error grows with their number.
    if (gradient.every((entry) => Math.abs(entry) < tolerance * Math.max(1, count))) {
      converged = true;
      break;
    }
    const step = solvePositiveDefinite(hessian, gradient, size);
    let decrease = 0;
    for (let i = 0; i < size; i++) decrease += gradient[i]! * step[i]!;
    let length = 1;
    for (;;) {
      const candidate = parameters.map((entry, index) => entry - length * step[index]!);
      const candidateScores = margins(candidate);
      const candidateValue = objective(candidate, candidateScores);
      // Armijo condition, with slack for rounding in the objective itself near the optimum; the floor on
      // `length` guards against a step that no longer changes anything.
      if (candidateValue <= value - 1e-4 * length * decrease + 1e-13 * Math.abs(value) || length < 1e-10) {
        parameters = candidate;
        scores = candidateScores;
        value = candidateValue;
        break;
      }
      length /= 2;
    }
  }
  let correct = 0;
  for (let row = 0; row < count; row++) if ((scores[row]! > 0 ? 1 : -1) === signs[row]) correct++;
  return {
    weights: parameters.slice(0, dimension),
    bias: parameters[dimension]!,
    iterations,
    converged,
    trainingAccuracy: correct / count,
  };
}
