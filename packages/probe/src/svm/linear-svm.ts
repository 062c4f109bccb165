import { mixSeed } from '@dcgan/common';
import { ProbeError, describeValue } from '../errors/probe-error';
import { dot } from './dense-kernels';
import { solveSquaredHingeDual, solveSquaredHingeDualWithGram } from './dual-coordinate-descent';
import { automaticGramRowLimit, computeGramMatrix } from './gram-matrix';
import type { FeatureMatrix } from './feature-matrix';
import { resolveLinearSvmOptions, type LinearSvmOptions, type ResolvedLinearSvmOptions } from './linear-svm-options';

/** How one binary classifier's training went. */
export interface ClassifierReport {
  /** The label this classifier scores as +1. */
  readonly positiveLabel: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly seconds: number;
}

/**
 * A fitted one-vs-rest linear SVM. With two classes there is one classifier whose positive class is
 * `classes[1]` (as in scikit-learn); otherwise classifier k scores `classes[k]` against the rest.
 */
export interface LinearSvmModel {
  /** The distinct training labels, ascending. */
  readonly classes: readonly number[];
  readonly columnCount: number;
  /** One weight vector per classifier. */
  readonly weights: readonly Float64Array[];
  /** One intercept per classifier: the bias feature's weight times `options.bias`. */
  readonly intercepts: Float64Array;
  /** Dual variables of each classifier (one per training row), usable as a warm start. */
  readonly dual: readonly Float64Array[];
  readonly options: ResolvedLinearSvmOptions;
  readonly classifiers: readonly ClassifierReport[];
}

const now = (): number => (typeof performance === 'undefined' ? Date.now() : performance.now());

/**
 * Fits an L2-regularised squared-hinge linear SVM, one-vs-rest, with LIBLINEAR's dual coordinate
 * descent (what scikit-learn's `LinearSVC(loss='squared_hinge', dual=True)` runs). Labels are any
 * integers; at least two distinct ones.
 *
 * @example
 * ```ts
 * const model = trainLinearSvm(features, labels, { cost: 0.01 });
 * const predicted = predictLinearSvm(model, testFeatures);
 * ```
 */
export function trainLinearSvm(
  features: FeatureMatrix,
  labels: ArrayLike<number>,
  options: LinearSvmOptions = {},
): LinearSvmModel {
  const resolved = resolveLinearSvmOptions(options);
  checkLabels(features, labels);
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  if (classes.length < 2)
    throw new ProbeError(
      `Expected at least two distinct labels to train an SVM, got only \`${describeValue(classes[0])}\``,
    );
  const classifierCount = classes.length === 2 ? 1 : classes.length;
  const { warmStart, onEvent, signal } = options;
  if (warmStart !== undefined) {
    if (
      !Array.isArray(warmStart) ||
      warmStart.length !== classifierCount ||
      warmStart.some((alpha) => !(alpha instanceof Float64Array) || alpha.length !== features.rowCount)
    ) {
      throw new ProbeError(
        `Expected \`warmStart\` to hold ${classifierCount} Float64Arrays of ${features.rowCount} dual variables`,
      );
    }
  }
  const rows = [...features];
  let gram = options.gram;
  if (gram !== undefined && (gram.features !== features || gram.bias !== resolved.bias)) {
    throw new ProbeError(
      `Expected \`gram\` to be computed from these features with bias ${resolved.bias} (computeGramMatrix(features, ${resolved.bias}))`,
    );
  }
  const useGram =
    gram !== undefined ||
    resolved.bookkeeping === 'gram' ||
    (resolved.bookkeeping === 'auto' && prefersGram(rows.length, features.columnCount));
  if (useGram && gram === undefined) gram = computeGramMatrix(features, resolved.bias);
  const weights: Float64Array[] = [];
  const intercepts = new Float64Array(classifierCount);
  const dual: Float64Array[] = [];
  const classifiers: ClassifierReport[] = [];
  for (let classifier = 0; classifier < classifierCount; classifier++) {
    const positiveLabel = classes[classifierCount === 1 ? 1 : classifier]!;
    const signs = new Int8Array(rows.length);
    for (let index = 0; index < rows.length; index++) signs[index] = labels[index] === positiveLabel ? 1 : -1;
    onEvent?.({ status: 'classifier-start', classifier, classifierCount, positiveLabel });
    const started = now();
    const solve = useGram
      ? (settings: Parameters<typeof solveSquaredHingeDual>[2]) =>
          solveSquaredHingeDualWithGram(rows, gram!.values, signs, settings)
      : (settings: Parameters<typeof solveSquaredHingeDual>[2]) => solveSquaredHingeDual(rows, signs, settings);
    const solution = solve({
      ...resolved,
      seed: mixSeed(resolved.seed, classifier),
      initialAlpha: warmStart?.[classifier],
      signal,
      onIteration:
        onEvent === undefined
          ? undefined
          : (iteration, activeSize, spread) =>
              onEvent({ status: 'iteration', classifier, classifierCount, iteration, activeSize, spread }),
    });
    const seconds = (now() - started) / 1000;
    weights.push(solution.weights);
    intercepts[classifier] = solution.biasWeight * resolved.bias;
    dual.push(solution.alpha);
    classifiers.push({ positiveLabel, iterations: solution.iterations, converged: solution.converged, seconds });
    onEvent?.({
      status: 'classifier-done',
      classifier,
      classifierCount,
      iterations: solution.iterations,
      converged: solution.converged,
      seconds,
    });
  }
  return { classes, columnCount: features.columnCount, weights, intercepts, dual, options: resolved, classifiers };
}

/**
 * Whether `bookkeeping: 'auto'` uses the Gram matrix for this shape: at most 4,096 rows and fewer rows
 * than half the features (then O(rows) steps plus one Gram matrix beat O(features) steps).
 */
export function prefersGram(rowCount: number, columnCount: number): boolean {
  return rowCount <= automaticGramRowLimit && rowCount * 2 < columnCount;
}

/**
 * Decision values `w_k . x + b_k`, row-major `[rows, classifiers]` (one column for two classes).
 *
 * @example
 * ```ts
 * const scores = decisionFunction(model, testFeatures); // scores[row * model.weights.length + k]
 * ```
 */
export function decisionFunction(model: LinearSvmModel, features: FeatureMatrix): Float64Array {
  if (features.columnCount !== model.columnCount) {
    throw new ProbeError(
      `Expected ${model.columnCount} features per row (as in training), got ${features.columnCount}`,
    );
  }
  const classifierCount = model.weights.length;
  const scores = new Float64Array(features.rowCount * classifierCount);
  for (let row = 0; row < features.rowCount; row++) {
    const values = features.row(row);
    for (let classifier = 0; classifier < classifierCount; classifier++) {
      scores[row * classifierCount + classifier] =
        dot(values, model.weights[classifier]!) + model.intercepts[classifier]!;
    }
  }
  return scores;
}

/**
 * Predicted labels: the class of the largest decision value (the first on ties), or for two classes
 * `classes[1]` where the decision value is > 0.
 *
 * @example
 * ```ts
 * const predicted = predictLinearSvm(model, testFeatures);
 * const error = errorRate(predicted, testLabels);
 * ```
 */
export function predictLinearSvm(model: LinearSvmModel, features: FeatureMatrix): Int32Array {
  const scores = decisionFunction(model, features);
  const classifierCount = model.weights.length;
  const predicted = new Int32Array(features.rowCount);
  for (let row = 0; row < features.rowCount; row++) {
    if (classifierCount === 1) {
      predicted[row] = model.classes[scores[row]! > 0 ? 1 : 0]!;
      continue;
    }
    let best = 0;
    for (let classifier = 1; classifier < classifierCount; classifier++) {
      if (scores[row * classifierCount + classifier]! > scores[row * classifierCount + best]!) best = classifier;
    }
    predicted[row] = model.classes[best]!;
  }
  return predicted;
}

/**
 * The primal objective `0.5 (|w|^2 + w_b^2) + C sum max(0, 1 - y (w . x + b))^2` of classifier
 * `classifier` on a training set (LIBLINEAR regularises the bias feature's weight `w_b = b / bias` too).
 *
 * @example
 * ```ts
 * squaredHingeObjective(model, features, labels, 0); // compare with LIBLINEAR's for the same C
 * ```
 */
export function squaredHingeObjective(
  model: LinearSvmModel,
  features: FeatureMatrix,
  labels: ArrayLike<number>,
  classifier: number,
): number {
  checkLabels(features, labels);
  const weights = model.weights[classifier];
  if (weights === undefined)
    throw new ProbeError(
      `Expected a classifier index in 0..${model.weights.length - 1}, got \`${describeValue(classifier)}\``,
    );
  const positiveLabel = model.classes[model.weights.length === 1 ? 1 : classifier]!;
  const intercept = model.intercepts[classifier]!;
  const biasWeight = model.options.bias > 0 ? intercept / model.options.bias : 0;
  let loss = 0;
  for (let row = 0; row < features.rowCount; row++) {
    const sign = labels[row] === positiveLabel ? 1 : -1;
    const slack = Math.max(0, 1 - sign * (dot(features.row(row), weights) + intercept));
    loss += slack * slack;
  }
  let norm = biasWeight * biasWeight;
  for (const weight of weights) norm += weight * weight;
  return 0.5 * norm + model.options.cost * loss;
}

/**
 * Fraction of `predicted` that differ from `truth`.
 *
 * @example
 * ```ts
 * errorRate([1, 2, 3], [1, 2, 4]); // 0.333...
 * ```
 */
export function errorRate(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (predicted.length !== truth.length)
    throw new ProbeError(`Expected as many predictions as labels, got ${predicted.length} and ${truth.length}`);
  if (truth.length === 0) throw new ProbeError('Cannot compute an error rate over zero labels');
  let wrong = 0;
  for (let index = 0; index < truth.length; index++) if (predicted[index] !== truth[index]) wrong++;
  return wrong / truth.length;
}

function checkLabels(features: FeatureMatrix, labels: ArrayLike<number>): void {
  if (labels == null || typeof labels.length !== 'number')
    throw new ProbeError(`Expected \`labels\` to be an array of integers, got \`${describeValue(labels)}\``);
  if (labels.length !== features.rowCount)
    throw new ProbeError(`Expected one label per row: ${features.rowCount} rows but ${labels.length} labels`);
  for (let index = 0; index < labels.length; index++) {
    if (!Number.isInteger(labels[index]))
      throw new ProbeError(`Expected label ${index} to be an integer, got \`${describeValue(labels[index])}\``);
  }
  for (let row = 0; row < features.rowCount; row++) {
    const values = features.row(row);
    for (let column = 0; column < values.length; column++) {
      if (!Number.isFinite(values[column]!))
        throw new ProbeError(`Expected finite features, got \`${values[column]}\` at row ${row}, column ${column}`);
    }
  }
}
