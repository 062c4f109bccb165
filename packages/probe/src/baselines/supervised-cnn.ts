import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  createDiscriminator,
  discriminatorFeatureLayers,
  resolveDcganConfig,
  type DcganConfigOptions,
} from '@dcgan/core';

import { createSeededRandom, shuffleInPlace } from '@dcgan/common';

import { ProbeError, describeValue } from '../errors/probe-error';
import type { FeatureMatrix } from '../svm/feature-matrix';

/** Training settings of the supervised baseline. */
export interface SupervisedTrainingOptions {
  /**
   * Passes over the labelled images at most.
   * @default 60
   */
  readonly epochs?: number;
  /**
   * Stop after this many epochs without a lower validation error; the weights of the best epoch are kept.
   * @default 10
   */
  readonly patience?: number;
  /** @default 32 */
  readonly batchSize?: number;
  /**
   * Adam learning rate (beta1 0.9, beta2 0.999).
   * @default 0.001
   */
  readonly learningRate?: number;
  /** Seed of the weights and the batch order. @default 0 */
  readonly seed?: number;
}

/** An epoch of supervised training finished. */
export interface SupervisedEpochReport {
  readonly epoch: number;
  readonly loss: number;
  readonly validationError: number;
  readonly seconds: number;
}

/** Images as pixel rows (`[height, width, channels]` flattened, in [-1, 1]) with their labels. */
export interface LabelledPixels {
  readonly pixels: FeatureMatrix;
  readonly labels: ArrayLike<number>;
}

/** A trained supervised baseline. */
export interface SupervisedCnn {
  readonly model: tfl.LayersModel;
  /** The labels the outputs stand for, ascending. */
  readonly classes: readonly number[];
  readonly bestEpoch: number;
  readonly validationError: number;
  readonly epochs: readonly SupervisedEpochReport[];
  /** Frees the model's weights. */
  dispose(): void;
}

/**
 * The discriminator's architecture as a classifier (the paper's supervised baseline, section 5.2): D's
 * strided conv / batch norm / LeakyReLU layers, with the last 4x4 convolution giving one logit per class
 * instead of one real/fake logit. Freshly initialised (N(0, 0.02), seeded).
 *
 * @example
 * ```ts
 * const classifier = createDiscriminatorClassifier(dcganPresets.dcgan32Small, 10, 7);
 * classifier.outputs[0]!.shape; // [null, 10]
 * ```
 */
export function createDiscriminatorClassifier(
  config: DcganConfigOptions,
  classCount: number,
  seed = 0,
): tfl.LayersModel {
  if (!Number.isInteger(classCount) || classCount < 2)
    throw new ProbeError(`Expected at least 2 classes, got \`${describeValue(classCount)}\``);
  const discriminator = createDiscriminator(resolveDcganConfig(config), { seed: seed + 1 });
  const features = discriminatorFeatureLayers(discriminator).at(-1)!;
  const logits = tfl.layers
    .conv2d({
      filters: classCount,
      kernelSize: 4,
      padding: 'valid',
      useBias: true,
      kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: seed + 2 }),
      name: 'classifier_logits',
    })
    .apply(features.output as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten({ name: 'classifier_flatten' }).apply(logits) as tfl.SymbolicTensor;
  const classifier = tfl.model({ inputs: discriminator.inputs, outputs: flat, name: 'discriminator_classifier' });
  // D's own real/fake logit layer is not part of the classifier: free its weights now.
  discriminator.getLayer(discriminator.layers.at(-2)!.name).dispose();
  return classifier;
}

/**
 * Trains {@link createDiscriminatorClassifier} on a few labelled images with softmax cross-entropy and
 * Adam, one validation check per epoch, early stopping on validation error (the best epoch's weights are
 * kept). Uses the active tfjs backend.
 *
 * @example
 * ```ts
 * const cnn = await trainSupervisedCnn(config, [32, 32, 1], labelled, validation, { seed: draw });
 * const predicted = predictSupervisedCnn(cnn, [32, 32, 1], testPixels);
 * cnn.dispose();
 * ```
 */
export async function trainSupervisedCnn(
  config: DcganConfigOptions,
  imageShape: readonly [number, number, number],
  train: LabelledPixels,
  validation: LabelledPixels,
  options: SupervisedTrainingOptions & {
    readonly onEpoch?: (report: SupervisedEpochReport) => void;
    readonly signal?: AbortSignal;
  } = {},
): Promise<SupervisedCnn> {
  const { epochs = 60, patience = 10, batchSize = 32, learningRate = 1e-3, seed = 0 } = options;
  for (const [name, value] of [
    ['epochs', epochs],
    ['patience', patience],
    ['batchSize', batchSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new ProbeError(`Expected \`${name}\` to be a positive integer, got \`${describeValue(value)}\``);
  }
  if (!(learningRate > 0))
    throw new ProbeError(`Expected \`learningRate\` to be a positive number, got \`${describeValue(learningRate)}\``);
  const classes = [...new Set(Array.from(train.labels))].sort((a, b) => a - b);
  const classIndex = new Map(classes.map((label, index) => [label, index]));
  const dimension = imageShape[0] * imageShape[1] * imageShape[2];
  if (train.pixels.columnCount !== dimension || validation.pixels.columnCount !== dimension) {
    throw new ProbeError(
      `Expected pixel rows of ${imageShape.join('x')} = ${dimension} values, got ${train.pixels.columnCount} and ${validation.pixels.columnCount}`,
    );
  }
  const model = createDiscriminatorClassifier(config, classes.length, seed);
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const random = createSeededRandom(seed);
  const order = Int32Array.from({ length: train.pixels.rowCount }, (_, index) => index);
  const reports: SupervisedEpochReport[] = [];
  let best: { epoch: number; error: number; weights: tf.Tensor[] } | undefined;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      shuffleInPlace(order, random);
      let lossSum = 0;
      let seen = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        if (options.signal?.aborted === true)
          throw new ProbeError('Supervised training was aborted', { cause: options.signal.reason });
        const batch = order.subarray(start, Math.min(order.length, start + batchSize));
        const images = pixelTensor(train.pixels, batch, imageShape);
        const targets = tf.tidy(() =>
          tf.oneHot(
            tf.tensor1d(
              Array.from(batch, (row) => classIndex.get(train.labels[row]!)!),
              'int32',
            ),
            classes.length,
          ),
        );
        const loss = optimizer.minimize(
          () =>
            tf.losses.softmaxCrossEntropy(targets, model.apply(images, { training: true }) as tf.Tensor2D) as tf.Scalar,
          true,
          variables,
        )!;
        lossSum += (await loss.data())[0]! * batch.length;
        seen += batch.length;
        tf.dispose([images, targets, loss]);
      }
      const predicted = predictIndices(model, validation.pixels, imageShape);
      let wrong = 0;
      predicted.forEach((index, row) => {
        if (classes[index] !== validation.labels[row]) wrong++;
      });
      const report = {
        epoch,
        loss: lossSum / seen,
        validationError: wrong / Math.max(1, predicted.length),
        seconds: (performance.now() - started) / 1000,
      };
      reports.push(report);
      options.onEpoch?.(report);
      if (best === undefined || report.validationError < best.error) {
        if (best !== undefined) tf.dispose(best.weights);
        best = { epoch, error: report.validationError, weights: model.getWeights().map((weight) => tf.clone(weight)) };
      } else if (epoch - best.epoch >= patience) {
        break;
      }
    }
    model.setWeights(best!.weights);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    if (best !== undefined) tf.dispose(best.weights);
    optimizer.dispose();
  }
  return {
    model,
    classes,
    bestEpoch: best!.epoch,
    validationError: best!.error,
    epochs: reports,
    dispose: () => model.dispose(),
  };
}

/**
 * Labels predicted by a trained supervised baseline (inference mode, batches of 256).
 *
 * @example
 * ```ts
 * const predicted = predictSupervisedCnn(cnn, [32, 32, 1], testPixels);
 * ```
 */
export function predictSupervisedCnn(
  cnn: SupervisedCnn,
  imageShape: readonly [number, number, number],
  pixels: FeatureMatrix,
): Int32Array {
  return Int32Array.from(predictIndices(cnn.model, pixels, imageShape), (index) => cnn.classes[index]!);
}

function predictIndices(
  model: tfl.LayersModel,
  pixels: FeatureMatrix,
  imageShape: readonly [number, number, number],
): Int32Array {
  const predicted = new Int32Array(pixels.rowCount);
  const chunk = 256;
  for (let start = 0; start < pixels.rowCount; start += chunk) {
    const rows = Int32Array.from({ length: Math.min(chunk, pixels.rowCount - start) }, (_, offset) => start + offset);
    const indices = tf.tidy(() => {
      const images = pixelTensor(pixels, rows, imageShape);
      return tf.argMax(model.apply(images, { training: false }) as tf.Tensor2D, 1);
    });
    predicted.set(indices.dataSync() as Int32Array, start);
    indices.dispose();
  }
  return predicted;
}

function pixelTensor(
  pixels: FeatureMatrix,
  rows: ArrayLike<number>,
  imageShape: readonly [number, number, number],
): tf.Tensor4D {
  const dimension = pixels.columnCount;
  const values = new Float32Array(rows.length * dimension);
  for (let position = 0; position < rows.length; position++)
    values.set(pixels.row(rows[position]!), position * dimension);
  return tf.tensor4d(values, [rows.length, ...imageShape]);
}
