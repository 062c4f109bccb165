import { createSeededRandom, mixSeed, shuffleInPlace } from '@dcgan/common';

import { predictSupervisedCnn, trainSupervisedCnn, type SupervisedCnn } from '../baselines/supervised-cnn';
import { searchSupervisedCnn, type SupervisedSettings, type SupervisedTrial } from '../baselines/supervised-search';
import { ProbeError } from '../errors/probe-error';
import type { StoredFeatures } from '../features/feature-store';
import { errorRate } from '../svm/linear-svm';
import type { LinearProbeOptions, ProbeMethod, ResolvedProtocol } from './linear-probe-options';
import { meanAndDeviation, type ProbeMethodResult } from './probe-report';
import { labelsAt, rowsOf, type ProbeSplit } from './probe-split';

/**
 * The supervised baseline: D's architecture trained as a classifier on each draw's labelled pixels, early-stopped on
 * (a fixed subset of) the validation split, its settings optionally chosen by random search on draw 0.
 */
export async function evaluateSupervised(
  options: LinearProbeOptions,
  settings: ResolvedProtocol,
  method: Extract<ProbeMethod, { kind: 'supervised' }>,
  split: ProbeSplit,
  pixelsTrain: StoredFeatures,
  pixelsTest: StoredFeatures,
): Promise<Omit<ProbeMethodResult, 'seconds'>> {
  const name = method.name ?? 'supervised';
  const { imageSize, channels = 3 } = method.config;
  const imageShape = [imageSize, imageSize, channels] as const;
  const validationLimit = method.validationLimit ?? 2000;
  let validationPositions = Array.from(split.validation);
  if (validationPositions.length > validationLimit) {
    shuffleInPlace(validationPositions, createSeededRandom(mixSeed(settings.seed, 5)));
    validationPositions = validationPositions.slice(0, validationLimit).sort((a, b) => a - b);
  }
  const validation = {
    pixels: pixelsTrain.features.select(rowsOf(pixelsTrain, validationPositions, name)),
    labels: labelsAt(split.trainLabels, validationPositions),
  };
  const draws = split.testDraws.slice(0, method.draws ?? split.testDraws.length);
  const testErrors: number[] = [];
  const validationErrors: number[] = [];
  const bestEpochs: number[] = [];
  const trialCount = method.trials ?? 1;
  if (!Number.isInteger(trialCount) || trialCount < 1)
    throw new ProbeError(`Expected \`trials\` to be a positive integer, got \`${String(trialCount)}\``);
  let search: { trials: readonly SupervisedTrial[]; chosen: SupervisedTrial } | undefined;
  let chosenSettings: SupervisedSettings | undefined;
  for (const [draw, positions] of draws.entries()) {
    const labelled =
      settings.labelsPerClass === null ? Int32Array.from([...positions, ...split.validation]).sort() : positions;
    const train = {
      pixels: pixelsTrain.features.select(rowsOf(pixelsTrain, labelled, name)),
      labels: labelsAt(split.trainLabels, labelled),
    };
    const seed = mixSeed(settings.seed, 6, draw);
    const signal = options.signal === undefined ? {} : { signal: options.signal };
    const onEpoch = (report: { epoch: number; loss: number; validationError: number }) =>
      options.onEvent?.({
        status: 'supervised-epoch',
        method: name,
        draw,
        epoch: report.epoch,
        loss: report.loss,
        validationError: report.validationError,
      });
    let cnn: SupervisedCnn;
    if (trialCount > 1 && draw === 0) {
      const found = await searchSupervisedCnn(method.config, imageShape, train, validation, {
        ...method.training,
        trials: trialCount,
        seed,
        ...signal,
        onEpoch,
        onTrial: (trial, trials) => options.onEvent?.({ status: 'supervised-trial', method: name, trial, trials }),
      });
      search = { trials: found.trials, chosen: found.chosen };
      chosenSettings = { learningRate: found.chosen.learningRate, batchSize: found.chosen.batchSize };
      cnn = found.best;
    } else {
      cnn = await trainSupervisedCnn(method.config, imageShape, train, validation, {
        ...method.training,
        ...chosenSettings,
        seed,
        ...signal,
        onEpoch,
      });
    }
    try {
      const testError = errorRate(predictSupervisedCnn(cnn, imageShape, pixelsTest.features), pixelsTest.labels);
      testErrors.push(testError);
      validationErrors.push(cnn.validationError);
      bestEpochs.push(cnn.bestEpoch);
      options.onEvent?.({
        status: 'draw-done',
        method: name,
        draw,
        draws: draws.length,
        testError,
        validationError: cnn.validationError,
      });
    } finally {
      cnn.dispose();
    }
  }
  const { mean, deviation } = meanAndDeviation(testErrors);
  return {
    name,
    kind: 'supervised',
    description: method.description ?? "D's architecture trained as a classifier on the labelled draw",
    testErrors,
    validationErrors,
    meanTestError: mean,
    testErrorStandardDeviation: deviation,
    bestEpochs,
    ...(search === undefined ? {} : { supervisedSearch: search }),
  };
}
