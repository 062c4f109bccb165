import { mixSeed } from '@dcgan/common';

import type { StoredFeatures } from '../features/feature-store';
import type { FeatureMatrix } from '../svm/feature-matrix';
import { computeGramMatrix } from '../svm/gram-matrix';
import { errorRate, predictLinearSvm, prefersGram, trainLinearSvm, type LinearSvmModel } from '../svm/linear-svm';
import { applyStandardization, fitStandardization, foldStandardization } from '../svm/standardization';
import type { LinearProbeOptions, ResolvedProtocol } from './linear-probe-options';
import type { ProbeEventListener } from './probe-events';
import { meanAndDeviation, type CostSearchEntry, type ProbeMethodResult } from './probe-report';
import { labelsAt, rowsOf, type ProbeSplit } from './probe-split';

interface PreparedDraw {
  readonly features: FeatureMatrix;
  readonly labels: Int32Array;
  readonly statistics: ReturnType<typeof fitStandardization> | undefined;
  readonly gram: ReturnType<typeof computeGramMatrix> | undefined;
}

function prepareDraw(
  settings: ResolvedProtocol,
  train: StoredFeatures,
  split: ProbeSplit,
  positions: Int32Array,
  method: string,
): PreparedDraw {
  const raw = train.features.select(rowsOf(train, positions, method));
  const labels = labelsAt(split.trainLabels, positions);
  const statistics = settings.standardize ? fitStandardization(raw) : undefined;
  const features = statistics === undefined ? raw : applyStandardization(raw, statistics);
  const gram = prefersGram(features.rowCount, features.columnCount) ? computeGramMatrix(features, 1) : undefined;
  return { features, labels, statistics, gram };
}

type FitSvm = (
  prepared: PreparedDraw,
  cost: number,
  phase: 'selection' | 'test',
  draw: number,
  warmStart?: readonly Float64Array[],
) => { readonly model: LinearSvmModel; readonly folded: LinearSvmModel };

/** Lowest mean validation error; on a tie the smaller C (more regularisation). */
function chooseCost(
  settings: ResolvedProtocol,
  errorsByCost: readonly number[][],
): { costSearch: CostSearchEntry[]; best: CostSearchEntry } {
  const costSearch: CostSearchEntry[] = settings.costs.map((cost, index) => ({
    cost,
    meanValidationError: meanAndDeviation(errorsByCost[index]!).mean,
    validationErrors: errorsByCost[index]!,
  }));
  const best = costSearch.reduce((chosen, entry) =>
    entry.meanValidationError < chosen.meanValidationError ? entry : chosen,
  );
  return { costSearch, best };
}

/**
 * The CIFAR-10 protocol: one SVM per C on the whole pool, C by validation error, then a refit on pool +
 * validation. At 50,000 x 28,672 the training features are standardised in place (pool statistics) rather
 * than copied, so the rows are held once; the model is folded back for the raw test features.
 */
function evaluateWholePool(
  settings: ResolvedProtocol,
  method: string,
  split: ProbeSplit,
  train: StoredFeatures,
  test: StoredFeatures,
  identity: { readonly kind: ProbeMethodResult['kind']; readonly description: string },
  fit: FitSvm,
  unconverged: () => number,
  onEvent: ProbeEventListener | undefined,
): Omit<ProbeMethodResult, 'seconds'> {
  const poolRaw = train.features.select(rowsOf(train, split.pool, method));
  const statistics = settings.standardize ? fitStandardization(poolRaw) : undefined;
  if (statistics !== undefined) applyStandardization(train.features, statistics, { inPlace: true });
  const prepare = (positions: Int32Array): PreparedDraw => ({
    features: train.features.select(rowsOf(train, positions, method)),
    labels: labelsAt(split.trainLabels, positions),
    statistics: undefined,
    gram: undefined,
  });
  const validation = prepare(split.validation);
  const pool = prepare(split.pool);
  const errorsByCost = settings.costs.map(() => [] as number[]);
  let warm: readonly Float64Array[] | undefined;
  settings.costs.forEach((cost, index) => {
    const { model } = fit(pool, cost, 'selection', 0, warm);
    warm = model.dual;
    const validationError = errorRate(predictLinearSvm(model, validation.features), validation.labels);
    errorsByCost[index]!.push(validationError);
    onEvent?.({ status: 'cost-evaluated', method, draw: 0, cost, validationError });
  });
  const { costSearch, best } = chooseCost(settings, errorsByCost);
  onEvent?.({ status: 'cost-selected', method, cost: best.cost, meanValidationError: best.meanValidationError });
  const { model } = fit(prepare(Int32Array.from([...split.pool, ...split.validation]).sort()), best.cost, 'test', 0);
  const validationError = errorRate(predictLinearSvm(model, validation.features), validation.labels);
  const testError = errorRate(
    predictLinearSvm(statistics === undefined ? model : foldStandardization(model, statistics), test.features),
    test.labels,
  );
  onEvent?.({ status: 'draw-done', method, draw: 0, draws: 1, testError, validationError });
  return svmResult(method, identity, train, best, costSearch, [testError], [validationError], unconverged());
}

/** A method's result: its search, its errors per test draw, their mean and spread. */
function svmResult(
  method: string,
  identity: { readonly kind: ProbeMethodResult['kind']; readonly description: string },
  train: StoredFeatures,
  best: CostSearchEntry,
  costSearch: CostSearchEntry[],
  testErrors: number[],
  validationErrors: number[],
  unconvergedClassifiers: number,
): Omit<ProbeMethodResult, 'seconds'> {
  const { mean, deviation } = meanAndDeviation(testErrors);
  return {
    name: method,
    kind: identity.kind,
    description: identity.description,
    dimension: train.features.columnCount,
    cost: best.cost,
    costSearch,
    testErrors,
    validationErrors,
    meanTestError: mean,
    testErrorStandardDeviation: deviation,
    unconvergedClassifiers,
  };
}

/**
 * One feature method under the protocol: C chosen by mean validation error over the selection draws (C ascending,
 * warm starts), then one SVM per test draw; the whole-pool protocol when `labelsPerClass` is null.
 */
export function evaluateSvm(
  options: LinearProbeOptions,
  settings: ResolvedProtocol,
  method: string,
  split: ProbeSplit,
  train: StoredFeatures,
  test: StoredFeatures,
  identity: { readonly kind: ProbeMethodResult['kind']; readonly description: string },
): Omit<ProbeMethodResult, 'seconds'> {
  const { onEvent, signal } = options;
  const validationFeatures = train.features.select(rowsOf(train, split.validation, method));
  const validationLabels = labelsAt(split.trainLabels, split.validation);
  let unconverged = 0;
  const fit: FitSvm = (prepared, cost, phase, draw, warmStart) => {
    const model = trainLinearSvm(prepared.features, prepared.labels, {
      cost,
      tolerance: settings.tolerance,
      maxIterations: settings.maxIterations,
      seed: mixSeed(settings.seed, draw),
      ...(prepared.gram === undefined ? { bookkeeping: 'primal' as const } : { gram: prepared.gram }),
      ...(warmStart === undefined ? {} : { warmStart }),
      ...(signal === undefined ? {} : { signal }),
      ...(onEvent === undefined
        ? {}
        : { onEvent: (event) => onEvent({ status: 'svm', method, phase, draw, cost, event }) }),
    });
    unconverged += model.classifiers.filter((report) => !report.converged).length;
    const folded: LinearSvmModel =
      prepared.statistics === undefined ? model : foldStandardization(model, prepared.statistics);
    return { model, folded };
  };

  if (settings.labelsPerClass === null) {
    // Pixel features are shared with the supervised baseline: standardise a copy of them, not the rows.
    const owned = identity.kind === 'pixels' ? { ...train, features: train.features.copy() } : train;
    return evaluateWholePool(settings, method, split, owned, test, identity, fit, () => unconverged, onEvent);
  }

  // Choose C: mean validation error over the selection draws, C ascending with warm starts.
  const errorsByCost = settings.costs.map(() => [] as number[]);
  split.selectionDraws.forEach((positions, draw) => {
    const prepared = prepareDraw(settings, train, split, positions, method);
    let warm: readonly Float64Array[] | undefined;
    settings.costs.forEach((cost, index) => {
      const { model, folded } = fit(prepared, cost, 'selection', draw, warm);
      warm = model.dual;
      const validationError = errorRate(predictLinearSvm(folded, validationFeatures), validationLabels);
      errorsByCost[index]!.push(validationError);
      onEvent?.({ status: 'cost-evaluated', method, draw, cost, validationError });
    });
  });
  const { costSearch, best } = chooseCost(settings, errorsByCost);
  onEvent?.({ status: 'cost-selected', method, cost: best.cost, meanValidationError: best.meanValidationError });

  const testErrors: number[] = [];
  const validationErrors: number[] = [];
  split.testDraws.forEach((positions, draw) => {
    const prepared = prepareDraw(settings, train, split, positions, method);
    const { folded } = fit(prepared, best.cost, 'test', draw);
    const testError = errorRate(predictLinearSvm(folded, test.features), test.labels);
    const validationError = errorRate(predictLinearSvm(folded, validationFeatures), validationLabels);
    testErrors.push(testError);
    validationErrors.push(validationError);
    onEvent?.({ status: 'draw-done', method, draw, draws: split.testDraws.length, testError, validationError });
  });
  return svmResult(method, identity, train, best, costSearch, testErrors, validationErrors, unconverged);
}
