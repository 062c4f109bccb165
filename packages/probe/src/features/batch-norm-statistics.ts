import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { ProbeError } from '../errors/probe-error';
import type { FeatureEventListener } from './feature-events';
import { checkBatchShape, probeImageCount, selectionBatches, type ProbeImages } from './probe-images';

/** Population statistics of one batch-norm layer's input, per channel. */
export interface BatchNormLayerStatistics {
  readonly name: string;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

/** What {@link computeBatchNormStatistics} measured. */
export interface BatchNormStatistics {
  readonly layers: readonly BatchNormLayerStatistics[];
  readonly images: number;
  readonly batches: number;
}

/** Options of {@link computeBatchNormStatistics}. */
export interface BatchNormStatisticsOptions {
  /**
   * Images per batch of the statistics pass (the authors used 128; use the training batch size).
   * @default 128
   */
  readonly batchSize?: number;
  readonly onEvent?: FeatureEventListener;
  readonly signal?: AbortSignal;
}

/** The batch-norm layers of a model, input side first. */
export function batchNormLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.filter((layer) => layer.getClassName() === 'BatchNormalization');
}

/**
 * Batch-norm statistics for inference, as the paper's authors computed them for their SVHN probe
 * (dcgan_code `svhn_semisup_analysis.py`, `infer_bnorm_stats`): run the model over the training images
 * in batches with batch norm in training mode (each layer normalised by its own batch's statistics, as
 * during GAN training), record every batch-norm layer's per-channel batch mean and biased batch
 * variance of its input, and average them over the batches (weighted by batch size, so a short last
 * batch counts for what it holds). The result is what inference-mode batch norm should use instead
 * of the running averages the GAN left behind, which track the last few hundred steps and mix real
 * and generated batches.
 *
 * `model` is only read; the pass runs on a copy made by the caller (training-mode calls move tfjs's
 * running averages), see {@link createDiscriminatorExtractor}.
 *
 * @example
 * ```ts
 * const statistics = await computeBatchNormStatistics(discriminatorCopy, { source, transform: [pad(32)] });
 * ```
 */
export async function computeBatchNormStatistics(
  model: tfl.LayersModel,
  images: ProbeImages,
  options: BatchNormStatisticsOptions = {},
): Promise<BatchNormStatistics> {
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ProbeError(`Expected \`batchSize\` to be a positive integer, got \`${String(batchSize)}\``);
  const layers = batchNormLayers(model);
  const inputShape = model.inputs[0]!.shape.slice(1) as [number, number, number];
  const total = probeImageCount(images);
  const started = performance.now();
  if (layers.length === 0) return { layers: [], images: 0, batches: 0 };
  const statisticsModel = tfl.model({
    inputs: model.inputs,
    outputs: layers.map((layer) => layer.input as tfl.SymbolicTensor),
  });
  const sums = layers.map((layer) => {
    const channels = (layer.input as tfl.SymbolicTensor).shape.at(-1)!;
    return { mean: new Float64Array(channels), variance: new Float64Array(channels) };
  });
  let seen = 0;
  let batches = 0;
  for await (const batch of selectionBatches(images, 0, total, { batchSize, signal: options.signal })) {
    if (options.signal?.aborted === true)
      throw new ProbeError('Batch-norm statistics were aborted', { cause: options.signal.reason });
    checkBatchShape(batch, inputShape, images);
    const count = batch.shape[0];
    const moments = tf.tidy(() => {
      const input = tf.tensor4d(batch.images, [...batch.shape]);
      const outputs = statisticsModel.apply(input, { training: true }) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(outputs) ? outputs : [outputs]).flatMap((output) => {
        const { mean, variance } = tf.moments(output, [0, 1, 2]);
        return [mean, variance];
      });
    });
    const values = await Promise.all(moments.map((tensor) => tensor.data()));
    tf.dispose(moments);
    sums.forEach((sum, layer) => {
      const mean = values[2 * layer]!;
      const variance = values[2 * layer + 1]!;
      for (let channel = 0; channel < sum.mean.length; channel++) {
        sum.mean[channel]! += count * mean[channel]!;
        sum.variance[channel]! += count * variance[channel]!;
      }
    });
    seen += count;
    batches++;
    options.onEvent?.({ status: 'statistics-progress', images: seen, total });
  }
  if (seen === 0)
    throw new ProbeError(`No decodable image to compute batch-norm statistics from (${images.source.description})`);
  options.onEvent?.({
    status: 'statistics-done',
    images: seen,
    batches,
    seconds: (performance.now() - started) / 1000,
  });
  return {
    layers: layers.map((layer, index) => ({
      name: layer.name,
      mean: Float32Array.from(sums[index]!.mean, (value) => value / seen),
      variance: Float32Array.from(sums[index]!.variance, (value) => value / seen),
    })),
    images: seen,
    batches,
  };
}

/** Writes statistics into a model's batch-norm running averages (the model is changed). */
export function setBatchNormStatistics(model: tfl.LayersModel, statistics: BatchNormStatistics): void {
  const layers = batchNormLayers(model);
  if (layers.length !== statistics.layers.length) {
    throw new ProbeError(`Expected statistics for ${layers.length} batch-norm layers, got ${statistics.layers.length}`);
  }
  layers.forEach((layer, index) => {
    const entry = statistics.layers[index]!;
    if (entry.name !== layer.name)
      throw new ProbeError(`Expected statistics of layer \`${layer.name}\`, got \`${entry.name}\``);
    const movingMean = layer.weights.find((weight) => weight.originalName.endsWith('moving_mean'));
    const movingVariance = layer.weights.find((weight) => weight.originalName.endsWith('moving_variance'));
    if (movingMean === undefined || movingVariance === undefined)
      throw new ProbeError(`Layer \`${layer.name}\` has no running averages to set`);
    if (movingMean.shape[0] !== entry.mean.length || movingVariance.shape[0] !== entry.variance.length) {
      throw new ProbeError(
        `Layer \`${layer.name}\` has ${String(movingMean.shape[0])} channels, statistics have ${entry.mean.length}`,
      );
    }
    tf.tidy(() => {
      movingMean.write(tf.tensor1d(entry.mean));
      movingVariance.write(tf.tensor1d(entry.variance));
    });
  });
}
