import type * as tfl from '@tensorflow/tfjs-layers';
import type { DcganConfigOptions } from '@dcgan/core';

import type { SupervisedTrainingOptions } from '../baselines/supervised-cnn';
import { ProbeError } from '../errors/probe-error';
import { createPixelExtractor } from '../features/feature-extractor';
import { discriminatorFeatureLayout } from '../features/feature-layout';
import { checkProbeImages } from '../features/probe-images';
import { evaluateSupervised } from './evaluate-supervised';
import { evaluateSvm } from './evaluate-svm';
import { inputShapeOf, resolveProtocol, type LinearProbeOptions, type ProbeMethod } from './linear-probe-options';
import { extractSplitFeatures, featureMethodExtractor } from './probe-feature-stores';
import type { ProbeMethodResult, ProbeReport } from './probe-report';
import { drawProbeSplit, holdOutValidation, readTrainLabels } from './probe-split';

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

  // The validation split comes from the labels alone (so that shards of a sharded run agree on it); pixels come
  // next: they are cheap, tell which images decode, and feed the pixel and supervised baselines.
  const heldOut = holdOutValidation(settings, await readTrainLabels(options.train));
  const pixelExtractor = createPixelExtractor(inputShapeOf(options));
  const pixelsTrain = await extractSplitFeatures(options, pixelExtractor, 'pixels', 'train');
  const pixelsTest = await extractSplitFeatures(options, pixelExtractor, 'pixels', 'test');
  const split = drawProbeSplit(settings, heldOut, pixelsTrain.positions);
  const testLabels = pixelsTest.labels;
  if (testLabels.some((label) => label < 0))
    throw new ProbeError(`Expected labelled test images, got an unlabelled one in ${options.test.source.description}`);

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
      // Batch-norm statistics come from the pool as drawn before decoding (undecodable images are skipped there).
      const extractor = await featureMethodExtractor(options, method, heldOut.pool);
      try {
        const train = await extractSplitFeatures(options, extractor, name, 'train');
        const test = await extractSplitFeatures(options, extractor, name, 'test');
        result = evaluateSvm(options, settings, name, split, train, test, {
          kind: method.kind,
          description:
            method.description ??
            (method.kind === 'discriminator'
              ? describeDiscriminator(method.discriminator, method.gridSize ?? 4)
              : extractor.name),
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
    {
      kind: 'discriminator',
      name: 'dcgan-discriminator',
      discriminator,
      description: 'trained DCGAN D, every conv layer max-pooled to 4x4',
    },
    {
      kind: 'discriminator',
      name: 'random-discriminator',
      discriminator: randomDiscriminator,
      description: 'randomly initialised D, same architecture and pooling',
    },
    { kind: 'pixels', name: 'pixels', description: 'raw pixels in [-1, 1]' },
    {
      kind: 'supervised',
      name: 'supervised-cnn',
      config,
      description: "D's architecture trained on the labelled draw",
      ...supervised,
    },
  ];
}

function describeDiscriminator(discriminator: tfl.LayersModel, gridSize: number): string {
  const layout = discriminatorFeatureLayout(discriminator, gridSize);
  return `D features: ${layout.layers.map((layer) => `${layer.name} ${layer.height}x${layer.width}x${layer.channels}`).join(', ')}, each max-pooled to ${gridSize}x${gridSize}`;
}
