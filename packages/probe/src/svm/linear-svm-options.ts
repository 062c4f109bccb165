import { ProbeError, describeValue } from '../errors/probe-error';
import type { GramMatrix } from './gram-matrix';

/** Progress of {@link trainLinearSvm}, tagged by `status`. */
export type SvmEvent =
  | {
      readonly status: 'classifier-start';
      /** 0-based index of the binary classifier (one per class, or one for two classes). */
      readonly classifier: number;
      readonly classifierCount: number;
      /** The label treated as +1. */
      readonly positiveLabel: number;
    }
  | {
      readonly status: 'iteration';
      readonly classifier: number;
      readonly classifierCount: number;
      readonly iteration: number;
      /** Rows still in the active set (shrinking). */
      readonly activeSize: number;
      /** Projected-gradient spread; training stops when it reaches `tolerance` on all rows. */
      readonly spread: number;
    }
  | {
      readonly status: 'classifier-done';
      readonly classifier: number;
      readonly classifierCount: number;
      readonly iterations: number;
      readonly converged: boolean;
      readonly seconds: number;
    };

/** Options of {@link trainLinearSvm}. The defaults are scikit-learn `LinearSVC`'s. */
export interface LinearSvmOptions {
  /**
   * C, the cost of margin violations: larger fits the training set harder, smaller regularises more.
   * @default 1
   */
  readonly cost?: number;
  /**
   * Stopping tolerance on the spread of the dual projected gradients (LIBLINEAR's `-e`, sklearn's `tol`).
   * @default 1e-4
   */
  readonly tolerance?: number;
  /**
   * Passes over the data per binary classifier at most; the result says whether it converged.
   * @default 1000
   */
  readonly maxIterations?: number;
  /**
   * Value of the constant feature appended to every row, whose weight gives the intercept (LIBLINEAR's
   * `-B`, sklearn's `intercept_scaling`). Like them, that weight is regularised too. 0 fits no intercept.
   * @default 1
   */
  readonly bias?: number;
  /**
   * LIBLINEAR's shrinking heuristic: rows whose dual variable settles at 0 leave the passes. Same
   * solution, usually far fewer dot products.
   * @default true
   */
  readonly shrinking?: boolean;
  /**
   * Seed of the random row order of each pass.
   * @default 0
   */
  readonly seed?: number;
  /**
   * Dual variables to start from, one `Float64Array` per binary classifier (e.g. `dual` of a model fitted
   * with a smaller `cost`, which is feasible for a larger one). Must match the rows and classes.
   * @default all zero
   */
  readonly warmStart?: readonly Float64Array[];
  /**
   * How the solver keeps its decision values up to date: `primal` keeps w (a step costs O(features), like
   * LIBLINEAR), `gram` uses the rows' Gram matrix (a step costs O(rows); one matrix serves every class),
   * `auto` takes `gram` for at most 4,096 rows with fewer rows than half the features. Same steps, same
   * solution.
   * @default 'auto'
   */
  readonly bookkeeping?: 'auto' | 'primal' | 'gram';
  /**
   * A Gram matrix of these features computed before (`computeGramMatrix(features, bias)`), to share it
   * between calls (e.g. over a grid of C).
   * @default computed when `bookkeeping` picks it
   */
  readonly gram?: GramMatrix;
  /** Receives progress; library code never prints. */
  readonly onEvent?: (event: SvmEvent) => void;
  /** Aborting stops training after the current pass with a `ProbeError`. */
  readonly signal?: AbortSignal;
}

/** {@link LinearSvmOptions} validated, with defaults filled in. */
export interface ResolvedLinearSvmOptions {
  readonly cost: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly bias: number;
  readonly shrinking: boolean;
  readonly seed: number;
  readonly bookkeeping: 'auto' | 'primal' | 'gram';
}

const knownKeys: ReadonlySet<string> = new Set([
  'cost',
  'tolerance',
  'maxIterations',
  'bias',
  'shrinking',
  'seed',
  'warmStart',
  'bookkeeping',
  'gram',
  'onEvent',
  'signal',
]);

/**
 * Validates {@link LinearSvmOptions} and fills in the defaults.
 *
 * @example
 * ```ts
 * resolveLinearSvmOptions({ cost: 0.01 }).tolerance; // 1e-4
 * ```
 */
export function resolveLinearSvmOptions(options: LinearSvmOptions = {}): ResolvedLinearSvmOptions {
  if (options == null || typeof options !== 'object')
    throw new ProbeError(`Expected SVM options to be an object, got \`${describeValue(options)}\``);
  for (const key of Object.keys(options)) {
    if (!knownKeys.has(key)) {
      throw new ProbeError(
        `Unknown SVM option \`${key}\`; expected one of ${[...knownKeys].map((name) => `\`${name}\``).join(', ')}`,
      );
    }
  }
  const {
    cost = 1,
    tolerance = 1e-4,
    maxIterations = 1000,
    bias = 1,
    shrinking = true,
    seed = 0,
    bookkeeping = 'auto',
  } = options;
  if (typeof cost !== 'number' || !Number.isFinite(cost) || cost <= 0)
    throw new ProbeError(`Expected \`cost\` to be a positive number, got \`${describeValue(cost)}\``);
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance <= 0) {
    throw new ProbeError(`Expected \`tolerance\` to be a positive number, got \`${describeValue(tolerance)}\``);
  }
  if (typeof maxIterations !== 'number' || !Number.isSafeInteger(maxIterations) || maxIterations < 1) {
    throw new ProbeError(
      `Expected \`maxIterations\` to be a positive integer, got \`${describeValue(maxIterations)}\``,
    );
  }
  if (typeof bias !== 'number' || !Number.isFinite(bias) || bias < 0)
    throw new ProbeError(`Expected \`bias\` to be a number >= 0, got \`${describeValue(bias)}\``);
  if (typeof shrinking !== 'boolean')
    throw new ProbeError(`Expected \`shrinking\` to be a boolean, got \`${describeValue(shrinking)}\``);
  if (typeof seed !== 'number' || !Number.isInteger(seed))
    throw new ProbeError(`Expected \`seed\` to be an integer, got \`${describeValue(seed)}\``);
  if (bookkeeping !== 'auto' && bookkeeping !== 'primal' && bookkeeping !== 'gram') {
    throw new ProbeError(
      `Expected \`bookkeeping\` to be 'auto', 'primal' or 'gram', got \`${describeValue(bookkeeping)}\``,
    );
  }
  return Object.freeze({ cost, tolerance, maxIterations, bias, shrinking, seed, bookkeeping });
}
