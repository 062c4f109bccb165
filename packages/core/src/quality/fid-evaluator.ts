import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DcganError, deriveSeed } from '@dcgan/common';
import { validateSeed } from '../model/seed';
import { generate } from '../sampling/generate';
import { sampleLatent } from '../sampling/sample-latent';
import { createFeatureExtractor, type FeatureExtractorOptions } from './feature-extractor';
import type { FeatureMatrix } from './feature-matrix';
import { featureStatistics, frechetDistance, type FeatureStatistics } from './frechet-distance';
import { kernelDistance } from './kernel-distance';

/** Options of {@link createFidEvaluator}. */
export interface FidEvaluatorOptions extends Omit<FeatureExtractorOptions, 'model'> {
  /** The feature network: a layers model or a graph model (see {@link createFeatureExtractor}). */
  readonly featureModel: FeatureExtractorOptions['model'];
  /** Real images in the generator's range (`[n, h, w, c]`, or batches of them). Read once; not disposed. */
  readonly realImages: tf.Tensor4D | Iterable<tf.Tensor4D> | AsyncIterable<tf.Tensor4D>;
  /**
   * Generated images per evaluation.
   * @default the number of real images
   */
  readonly sampleCount?: number;
  /**
   * Seed of the latent vectors (the same vectors at every evaluation, so scores over training compare) and
   * of the KID subsets.
   * @default 0
   */
  readonly seed?: number;
  /**
   * KID subsets (torch-fidelity's `kid_subsets`).
   * @default 100
   */
  readonly kidSubsets?: number;
  /**
   * Images per KID subset (torch-fidelity's `kid_subset_size`). When it equals a set's size every subset is
   * the whole set and `kidStd` is 0 (clean-fid's behaviour); pass less for a meaningful spread.
   * @default 1000, or the smaller set's size when that is less
   */
  readonly kidSubsetSize?: number;
}

/** Sample-quality scores of one evaluation (lower is better). */
export interface QualityScores {
  /** Fréchet distance between feature Gaussians. */
  readonly fid: number;
  /** Kernel distance (unbiased MMD^2, cubic polynomial kernel), mean over subsets. */
  readonly kid: number;
  /** Standard deviation of the KID subset estimates (torch-fidelity's `kernel_inception_distance_std`). */
  readonly kidStd: number;
  /** Standard error of `kid` (`kidStd / sqrt(subsets)`). */
  readonly kidStandardError: number;
  readonly realCount: number;
  readonly sampleCount: number;
  readonly featureSize: number;
}

/** Something that makes images: a DCGAN generator (fed uniform z), or a function of the image count. */
export type ImageSourceForQuality = tfl.LayersModel | ((count: number) => tf.Tensor4D | Promise<tf.Tensor4D>);

/** FID/KID of generators against one real set whose features are computed once. */
export interface FidEvaluator {
  /** Feature statistics of the real images. */
  readonly realStatistics: FeatureStatistics;
  /** Features of the real images. */
  readonly realFeatures: FeatureMatrix;
  /** Scores `generator`'s samples, or the images a function returns (which it then disposes); leaves no tensors behind. */
  evaluate(generator: ImageSourceForQuality): Promise<QualityScores>;
  /** Scores images you already have; does not dispose them. */
  evaluateImages(images: tf.Tensor4D): Promise<QualityScores>;
}

/**
 * FID and KID against real images for a generator, as a training loop calls it every N steps: the real
 * features are computed once; each `evaluate` draws `sampleCount` images from the same latent vectors.
 *
 * @example
 * ```ts
 * const evaluator = await createFidEvaluator({ featureModel, layer: 'features', realImages, sampleCount: 2000 });
 * const { fid, kid, kidStd } = await evaluator.evaluate(generator);
 * ```
 */
export async function createFidEvaluator(options: FidEvaluatorOptions): Promise<FidEvaluator> {
  const {
    featureModel,
    realImages,
    sampleCount: requestedCount,
    seed = 0,
    kidSubsets = 100,
    kidSubsetSize,
    ...extractorOptions
  } = options;
  validateSeed(seed);
  const extractor = createFeatureExtractor({ ...extractorOptions, model: featureModel });
  const realFeatures = await extractAll(realImages, extractor);
  if (realFeatures.rows < 2) throw new DcganError(`Expected at least 2 real images, got ${realFeatures.rows}`);
  const sampleCount = requestedCount ?? realFeatures.rows;
  if (!Number.isInteger(sampleCount) || sampleCount < 2)
    throw new DcganError(`Expected \`sampleCount\` to be an integer >= 2, got \`${String(sampleCount)}\``);
  const realStatistics = featureStatistics(realFeatures);
  const score = (features: FeatureMatrix): QualityScores => {
    const kid = kernelDistance(realFeatures, features, {
      subsets: kidSubsets,
      ...(kidSubsetSize === undefined ? {} : { subsetSize: kidSubsetSize }),
      seed: deriveSeed(seed, 'kid-subsets'),
    });
    return {
      fid: frechetDistance(realStatistics, featureStatistics(features)),
      kid: kid.kid,
      kidStd: kid.kidStd,
      kidStandardError: kid.kidStandardError,
      realCount: realFeatures.rows,
      sampleCount: features.rows,
      featureSize: features.columns,
    };
  };
  return {
    realStatistics,
    realFeatures,
    async evaluateImages(images) {
      return score(await extractor.extract(images));
    },
    async evaluate(generator) {
      let images: tf.Tensor4D;
      if (typeof generator === 'function') {
        images = await generator(sampleCount);
        if (images.shape[0] !== sampleCount) {
          images.dispose();
          throw new DcganError(`Expected the image function to return ${sampleCount} images, got ${images.shape[0]}`);
        }
      } else {
        const latentDim = generator.inputs[0]?.shape[1];
        if (latentDim == null)
          throw new DcganError(`Expected a generator with a [batch, latentDim] input, got model \`${generator.name}\``);
        const z = sampleLatent(sampleCount, latentDim, deriveSeed(seed, 'fid-latent'));
        try {
          images = generate(generator, z);
        } finally {
          z.dispose();
        }
      }
      try {
        return score(await extractor.extract(images));
      } finally {
        images.dispose();
      }
    },
  };
}

async function extractAll(
  images: FidEvaluatorOptions['realImages'],
  extractor: ReturnType<typeof createFeatureExtractor>,
): Promise<FeatureMatrix> {
  if (images instanceof tf.Tensor) return extractor.extract(images as tf.Tensor4D);
  const parts: FeatureMatrix[] = [];
  for await (const batch of images as AsyncIterable<tf.Tensor4D>) parts.push(await extractor.extract(batch));
  const columns = parts[0]?.columns ?? 0;
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  const values = new Float32Array(rows * columns);
  let offset = 0;
  for (const part of parts) {
    values.set(part.values, offset);
    offset += part.values.length;
  }
  return { rows, columns, values };
}
