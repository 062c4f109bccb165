import { discriminatorFeatureLayers } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { integerAtLeast } from '../errors/validate';
import { chainIndex, layerChain, runChain } from '../model/layer-chain';
import { guidedBackprop, validateImageBatch } from './guided-backprop';

/** Options of {@link visualizeDiscriminatorFeatures}. */
export interface VisualizeDiscriminatorFeaturesOptions {
  /**
   * How many features (feature maps) to show: those with the strongest mean response over `images`.
   * @default 6
   */
  readonly features?: number;
  /**
   * Images per feature: those where the feature responds most strongly.
   * @default 8
   */
  readonly imagesPerFeature?: number;
  /**
   * Layer to explain.
   * @default the discriminator's last hidden conv layer (the last of `discriminatorFeatureLayers`)
   */
  readonly layer?: string;
  /**
   * Images per forward pass when measuring responses.
   * @default 64
   */
  readonly batchSize?: number;
}

/** One feature shown by {@link visualizeDiscriminatorFeatures}. */
export interface VisualizedFeature {
  /** Feature map index in the layer. */
  readonly channel: number;
  /** Mean over all images of the feature's strongest response in each image (the ranking). */
  readonly score: number;
  /** Indices (into `images`) of the images it responds to most, strongest first. */
  readonly images: readonly number[];
  /** Its strongest response in each of those images. */
  readonly responses: readonly number[];
}

/** What {@link visualizeDiscriminatorFeatures} computed; the caller owns the tensors. */
export interface DiscriminatorFeatureVisualization {
  readonly layer: string;
  readonly features: readonly VisualizedFeature[];
  /** Guided backpropagation, `[features * imagesPerFeature, ...imageShape]`, one row per feature. */
  readonly gradients: tf.Tensor4D;
  /** The images behind `gradients`, in the same order. */
  readonly inputs: tf.Tensor4D;
  readonly columns: number;
}

/**
 * The paper's figure 5 (section 6.2): the strongest responses of the top features of the
 * discriminator's last conv layer, shown by guided backpropagation. Run it on a trained D and on a
 * randomly initialised one of the same architecture to see that the trained features pick out parts
 * of objects while random ones do not.
 *
 * @example
 * ```ts
 * const trained = await visualizeDiscriminatorFeatures(discriminator, realImages, { features: 6 });
 * const random = await visualizeDiscriminatorFeatures(createDiscriminator(config, { seed: 5 }), realImages);
 * ```
 */
export async function visualizeDiscriminatorFeatures(
  discriminator: tfl.LayersModel,
  images: tf.Tensor4D,
  options: VisualizeDiscriminatorFeaturesOptions = {},
): Promise<DiscriminatorFeatureVisualization> {
  const layers = layerChain(discriminator, 'discriminator');
  const layer = options.layer ?? discriminatorFeatureLayers(discriminator).at(-1)!.name;
  const index = chainIndex(layers, layer, 'discriminator');
  const mapCount = (layers[index]!.outputShape as number[]).at(-1)!;
  const featureCount = Math.min(integerAtLeast(options.features ?? 6, 'features', 1), mapCount);
  const batchSize = integerAtLeast(options.batchSize ?? 64, 'batchSize', 1);
  validateImageBatch(images, discriminator);
  const imageCount = images.shape[0];
  const perFeature = Math.min(integerAtLeast(options.imagesPerFeature ?? 8, 'imagesPerFeature', 1), imageCount);

  // Strongest response of every feature in every image, [images, maps], batch by batch.
  const maxima = new Float32Array(imageCount * mapCount);
  for (let start = 0; start < imageCount; start += batchSize) {
    const size = Math.min(batchSize, imageCount - start);
    const batchMaxima = tf.tidy(() => tf.max(runChain(layers, tf.slice(images, [start], [size]), 0, index), [1, 2]));
    maxima.set(await batchMaxima.data(), start * mapCount);
    batchMaxima.dispose();
  }
  const scores = Array.from({ length: mapCount }, (_, channel) => {
    let sum = 0;
    for (let image = 0; image < imageCount; image++) sum += maxima[image * mapCount + channel]!;
    return sum / imageCount;
  });
  const top = scores
    .map((score, channel) => ({ score, channel }))
    .sort((a, b) => b.score - a.score || a.channel - b.channel)
    .slice(0, featureCount);
  const features: VisualizedFeature[] = top.map(({ score, channel }) => {
    const ranked = Array.from({ length: imageCount }, (_, image) => ({
      image,
      response: maxima[image * mapCount + channel]!,
    }))
      .sort((a, b) => b.response - a.response || a.image - b.image)
      .slice(0, perFeature);
    return {
      channel,
      score,
      images: ranked.map((entry) => entry.image),
      responses: ranked.map((entry) => entry.response),
    };
  });

  const order = features.flatMap((feature) => feature.images);
  const channels = features.flatMap((feature) => feature.images.map(() => feature.channel));
  const inputs = tf.gather(images, order) as tf.Tensor4D;
  const gradientBatches: tf.Tensor4D[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const size = Math.min(batchSize, order.length - start);
    const batch = tf.slice(inputs, [start], [size]);
    gradientBatches.push(guidedBackprop(discriminator, batch, { layer, channel: channels.slice(start, start + size) }));
    batch.dispose();
  }
  const gradients = gradientBatches.length === 1 ? gradientBatches[0]! : (tf.concat(gradientBatches, 0) as tf.Tensor4D);
  if (gradientBatches.length > 1) tf.dispose(gradientBatches);
  return { layer, features, gradients, inputs, columns: perFeature };
}
