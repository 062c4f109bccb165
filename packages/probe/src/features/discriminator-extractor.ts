import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { discriminatorFeatureModel } from '@dcgan/core';

import { ProbeError, describeValue } from '../errors/probe-error';
import {
  batchNormLayers,
  computeBatchNormStatistics,
  setBatchNormStatistics,
  type BatchNormStatistics,
} from './batch-norm-statistics';
import { hashBytes, type FeatureExtractor } from './feature-extractor';
import type { FeatureEventListener } from './feature-events';
import { discriminatorFeatureLayout, type FeatureLayout } from './feature-layout';
import { poolToGrid } from './pool-to-grid';
import type { ProbeImages } from './probe-images';

/** Options of {@link createDiscriminatorExtractor}. */
export interface DiscriminatorExtractorOptions {
  /**
   * Side of the grid each layer is max-pooled to (the paper: 4).
   * @default 4
   */
  readonly gridSize?: number;
  /**
   * Which statistics inference-mode batch norm uses:
   * - `population`: averaged batch statistics over `statisticsImages` (the authors' probe; see
   *   {@link computeBatchNormStatistics}),
   * - `stored`: the running averages saved with the model,
   * - a {@link BatchNormStatistics} computed before (e.g. read back from a feature store).
   * @default 'population'
   */
  readonly batchNorm?: 'population' | 'stored' | BatchNormStatistics;
  /** The training images, for `batchNorm: 'population'`. */
  readonly statisticsImages?: ProbeImages;
  /**
   * Images per batch of the statistics pass.
   * @default 128
   */
  readonly statisticsBatchSize?: number;
  /** Name in events and reports. @default 'discriminator' */
  readonly name?: string;
  readonly onEvent?: FeatureEventListener;
  readonly signal?: AbortSignal;
}

/** A {@link FeatureExtractor} over a discriminator, with what it was built from. */
export interface DiscriminatorExtractor extends FeatureExtractor {
  readonly layout: FeatureLayout;
  /** The batch-norm statistics in use (`undefined` with `batchNorm: 'stored'` or a D without batch norm). */
  readonly statistics: BatchNormStatistics | undefined;
}

/**
 * Features of a DCGAN discriminator (paper, section 5.1): every hidden conv layer after its LeakyReLU,
 * max-pooled to a 4x4 grid, flattened and concatenated ({@link discriminatorFeatureLayout}), with batch
 * norm in inference mode. Works on a private copy of `discriminator` (the caller's model, running averages
 * included, is never changed; the copy is freed by `dispose`).
 *
 * @example
 * ```ts
 * const extractor = await createDiscriminatorExtractor(discriminator, { statisticsImages: { source: train, transform: [pad(32)] } });
 * const features = extractor.extract(images); // [batch, extractor.dimension]
 * extractor.dispose();
 * ```
 */
export async function createDiscriminatorExtractor(
  discriminator: tfl.LayersModel,
  options: DiscriminatorExtractorOptions = {},
): Promise<DiscriminatorExtractor> {
  const { gridSize = 4, batchNorm = 'population', name = 'discriminator' } = options;
  const layout = discriminatorFeatureLayout(discriminator, gridSize);
  if (batchNorm !== 'population' && batchNorm !== 'stored' && (batchNorm == null || !Array.isArray(batchNorm.layers))) {
    throw new ProbeError(
      `Expected \`batchNorm\` to be 'population', 'stored' or batch-norm statistics, got \`${describeValue(batchNorm)}\``,
    );
  }
  const copy = await copyModel(discriminator);
  try {
    let statistics: BatchNormStatistics | undefined;
    if (batchNorm === 'population' && batchNormLayers(copy).length > 0) {
      if (options.statisticsImages === undefined) {
        throw new ProbeError(
          "Expected `statisticsImages` (the training images) for `batchNorm: 'population'`; pass them, or use batchNorm: 'stored'",
        );
      }
      statistics = await computeBatchNormStatistics(copy, options.statisticsImages, {
        batchSize: options.statisticsBatchSize ?? 128,
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } else if (typeof batchNorm === 'object') {
      statistics = batchNorm;
    }
    if (statistics !== undefined) setBatchNormStatistics(copy, statistics);
    const featureModel = discriminatorFeatureModel(copy);
    const fingerprint = `${name}:grid${gridSize}:${await weightsFingerprint(copy)}`;
    return {
      name,
      dimension: layout.dimension,
      inputShape: layout.inputShape,
      fingerprint,
      layout,
      statistics,
      extract: (images) =>
        tf.tidy(() => {
          const outputs = featureModel.apply(images, { training: false }) as tf.Tensor4D | tf.Tensor4D[];
          const pooled = (Array.isArray(outputs) ? outputs : [outputs]).map((activations) =>
            poolToGrid(activations, gridSize),
          );
          return pooled.length === 1 ? pooled[0]! : tf.concat(pooled, 1);
        }),
      dispose: () => copy.dispose(),
    };
  } catch (error) {
    copy.dispose();
    throw error;
  }
}

/** A structurally identical model with copied weights (running averages included). */
export async function copyModel(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  const topology = model.toJSON(null, false) as unknown as tf.io.ModelJSON['modelTopology'];
  const copy = await tfl.models.modelFromJSON({ modelTopology: topology });
  const weights = model.getWeights();
  copy.setWeights(weights);
  return copy;
}

/** A hash of a model's weights (running averages included), to tie caches to it. */
export async function modelFingerprint(model: tfl.LayersModel): Promise<string> {
  return weightsFingerprint(model);
}

async function weightsFingerprint(model: tfl.LayersModel): Promise<string> {
  let hash = 0x811c9dc5;
  for (const weight of model.weights) {
    const values = await weight.read().data();
    hash = Number.parseInt(hashBytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), hash), 16);
  }
  return hash.toString(16).padStart(8, '0');
}
