import { createSeededRandom, randomInteger } from '@dcgan/common';
import { ProbeError } from '../errors/probe-error';
import { addScaled, dot, squaredNorm } from './dense-kernels';

/** Settings of one binary problem (validated by the caller). */
export interface DualSolverSettings {
  /** C: the weight of the squared hinge losses against the `0.5 ||w||^2` regulariser. */
  readonly cost: number;
  /** Stop when the projected gradients' spread (max - min) over all rows is at most this (LIBLINEAR's eps). */
  readonly tolerance: number;
  /** Passes over the (active) rows at most. */
  readonly maxIterations: number;
  /** Value of the constant feature appended to every row (LIBLINEAR's bias, sklearn's intercept_scaling); 0: none. */
  readonly bias: number;
  /** Drop rows whose dual variable is settled at 0 from the passes (LIBLINEAR's shrinking). */
  readonly shrinking: boolean;
  /** Seed of the row order of each pass. */
  readonly seed: number;
  /** Dual variables to start from (a solution for a smaller C is feasible: warm start). */
  readonly initialAlpha?: Float64Array | undefined;
  /** Called after every pass. */
  readonly onIteration?: ((iteration: number, activeSize: number, spread: number) => void) | undefined;
  /** Checked after every pass; aborting throws a `ProbeError`. */
  readonly signal?: AbortSignal | undefined;
}

/** The solution of one binary problem. */
export interface BinarySolution {
  /** w, one weight per feature. */
  readonly weights: Float64Array;
  /** The weight of the constant `bias` feature; the intercept is `biasWeight * bias`. */
  readonly biasWeight: number;
  /** The dual variables alpha (one per row; 0 for rows outside the margin). */
  readonly alpha: Float64Array;
  readonly iterations: number;
  /** False when `maxIterations` passes ended before the stopping test held. */
  readonly converged: boolean;
  /** The projected gradients' spread at the last full check. */
  readonly spread: number;
}

/**
 * LIBLINEAR's dual coordinate descent for the L2-regularised squared-hinge (L2-loss) SVM
 * (Hsieh, Chang, Lin, Keerthi, Sundararajan, ICML 2008; LIBLINEAR `solve_l2r_l1l2_svc`, solver 1):
 *
 *   min over alpha >= 0 of  0.5 alpha' (Q + I / (2C)) alpha - sum(alpha),  Q_ij = y_i y_j x_i . x_j
 *
 * which is the dual of `min 0.5 (|w|^2 + w_b^2) + C sum max(0, 1 - y_i (w . x_i + w_b * bias))^2`.
 * Each step minimises exactly over one alpha_i, in a fresh random order each pass, keeping
 * `w = sum alpha_i y_i x_i` up to date. With shrinking, rows with alpha_i = 0 whose gradient exceeds
 * the last pass's largest projected gradient leave the active set; when the active set has converged,
 * all rows are checked once more. `signs` are +1 / -1.
 */
export function solveSquaredHingeDual(
  rows: readonly Float32Array[],
  signs: Int8Array,
  settings: DualSolverSettings,
): BinarySolution {
  const rowCount = rows.length;
  const columnCount = rows[0]?.length ?? 0;
  const { cost, bias } = settings;
  const diagonal = 0.5 / cost;
  const biasSquared = bias * bias;

  const weights = new Float64Array(columnCount);
  let biasWeight = 0;
  const alpha = new Float64Array(rowCount);
  const curvature = new Float64Array(rowCount);
  for (let index = 0; index < rowCount; index++) {
    const row = rows[index]!;
    curvature[index] = diagonal + squaredNorm(row) + biasSquared;
    const start = settings.initialAlpha?.[index] ?? 0;
    if (start > 0) {
      alpha[index] = start;
      addScaled(weights, start * signs[index]!, row);
      biasWeight += start * signs[index]! * bias;
    }
  }
  const result = descend(alpha, curvature, signs, settings, {
    decision: (index) => dot(rows[index]!, weights) + biasWeight * bias,
    move: (index, step) => {
      addScaled(weights, step, rows[index]!);
      biasWeight += step * bias;
    },
  });
  return { weights, biasWeight, alpha, ...result };
}

/**
 * The same dual coordinate descent as {@link solveSquaredHingeDual} (same steps, order, shrinking and
 * stopping test) with the decision values `f_i = w . x_i + w_b * bias` kept up to date through the Gram
 * matrix instead of w: a step costs O(rows) instead of O(features). `w` is formed once at the end.
 */
export function solveSquaredHingeDualWithGram(
  rows: readonly Float32Array[],
  gram: Float64Array,
  signs: Int8Array,
  settings: DualSolverSettings,
): BinarySolution {
  const rowCount = rows.length;
  const columnCount = rows[0]?.length ?? 0;
  const { cost, bias } = settings;
  const diagonal = 0.5 / cost;

  const alpha = new Float64Array(rowCount);
  const curvature = new Float64Array(rowCount);
  const decision = new Float64Array(rowCount);
  for (let index = 0; index < rowCount; index++) {
    curvature[index] = diagonal + gram[index * rowCount + index]!;
    const start = settings.initialAlpha?.[index] ?? 0;
    if (start > 0) {
      alpha[index] = start;
      addScaledRow(decision, start * signs[index]!, gram, index * rowCount);
    }
  }
  const result = descend(alpha, curvature, signs, settings, {
    decision: (index) => decision[index]!,
    move: (index, step) => addScaledRow(decision, step, gram, index * rowCount),
  });

  const weights = new Float64Array(columnCount);
  let biasWeight = 0;
  for (let index = 0; index < rowCount; index++) {
    const coefficient = alpha[index]! * signs[index]!;
    if (coefficient === 0) continue;
    addScaled(weights, coefficient, rows[index]!);
    biasWeight += coefficient * bias;
  }
  return { weights, biasWeight, alpha, ...result };
}

/** How a solver keeps the decision values: read `f_i`, and apply `alpha_i += step / y_i` (step = delta alpha_i * y_i). */
interface DecisionValues {
  decision(index: number): number;
  move(index: number, step: number): void;
}

/**
 * The passes shared by both solvers: a fresh random order each pass, one exact minimisation per alpha_i,
 * shrinking, and the stopping test on the projected gradients' spread. Updates `alpha` in place.
 */
function descend(
  alpha: Float64Array,
  curvature: Float64Array,
  signs: Int8Array,
  settings: DualSolverSettings,
  values: DecisionValues,
): { iterations: number; converged: boolean; spread: number } {
  const rowCount = alpha.length;
  const { cost, tolerance, maxIterations, shrinking, signal, onIteration } = settings;
  const diagonal = 0.5 / cost;
  const order = Int32Array.from({ length: rowCount }, (_, index) => index);
  const random = createSeededRandom(settings.seed);
  let activeSize = rowCount;
  // The upper bound of alpha is infinite for the squared hinge, so only the `alpha = 0` side shrinks.
  let largestOld = Number.POSITIVE_INFINITY;
  let iteration = 0;
  let converged = false;
  let spread = Number.POSITIVE_INFINITY;
  while (iteration < maxIterations) {
    if (signal?.aborted === true) throw new ProbeError('SVM training was aborted', { cause: signal.reason });
    let largest = Number.NEGATIVE_INFINITY;
    let smallest = Number.POSITIVE_INFINITY;
    for (let position = activeSize - 1; position > 0; position--) {
      const other = randomInteger(random, position + 1);
      const swap = order[position]!;
      order[position] = order[other]!;
      order[other] = swap;
    }
    for (let position = 0; position < activeSize; position++) {
      const index = order[position]!;
      const sign = signs[index]!;
      const gradient = sign * values.decision(index) - 1 + alpha[index]! * diagonal;
      let projected = 0;
      if (alpha[index] === 0) {
        if (shrinking && gradient > largestOld) {
          activeSize--;
          order[position] = order[activeSize]!;
          order[activeSize] = index;
          position--;
          continue;
        }
        if (gradient < 0) projected = gradient;
      } else {
        projected = gradient;
      }
      if (projected > largest) largest = projected;
      if (projected < smallest) smallest = projected;
      if (Math.abs(projected) > 1e-12) {
        const previous = alpha[index]!;
        const next = Math.max(previous - gradient / curvature[index]!, 0);
        alpha[index] = next;
        values.move(index, (next - previous) * sign);
      }
    }
    iteration++;
    spread = largest - smallest;
    onIteration?.(iteration, activeSize, spread);
    if (spread <= tolerance) {
      if (activeSize === rowCount) {
        converged = true;
        break;
      }
      // The shrunken problem converged: check every row again before stopping.
      activeSize = rowCount;
      largestOld = Number.POSITIVE_INFINITY;
      continue;
    }
    largestOld = largest <= 0 ? Number.POSITIVE_INFINITY : largest;
  }
  return { iterations: iteration, converged, spread };
}

function addScaledRow(target: Float64Array, scale: number, gram: Float64Array, offset: number): void {
  const length = target.length;
  for (let index = 0; index < length; index++) target[index]! += scale * gram[offset + index]!;
}
