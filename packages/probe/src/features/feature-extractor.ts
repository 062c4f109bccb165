import * as tf from '@tensorflow/tfjs-core';

import { ProbeError, describeValue } from '../errors/probe-error';

/**
 * Turns image batches (`[batch, height, width, channels]`, float32 in [-1, 1]) into feature rows. The
 * probe runs every representation (trained D, random D, raw pixels) through this one interface.
 */
export interface FeatureExtractor {
  /** Short name used in events, stores and reports, e.g. `discriminator`, `pixels`. */
  readonly name: string;
  /** Features per image. */
  readonly dimension: number;
  /** `[height, width, channels]` the extractor expects. */
  readonly inputShape: readonly [number, number, number];
  /**
   * Identifies what the features depend on (weights, batch-norm statistics, grid): a feature store written
   * by an extractor with another fingerprint is refused rather than silently reused.
   */
  readonly fingerprint: string;
  /** Features of a batch, `[batch, dimension]`; the caller disposes the result. */
  extract(images: tf.Tensor4D): tf.Tensor2D;
  /** Frees what the extractor created (a discriminator copy). */
  dispose(): void;
}

/**
 * The raw-pixel baseline: each image flattened (row, column, channel) in [-1, 1].
 *
 * @example
 * ```ts
 * const pixels = createPixelExtractor([32, 32, 1]); // 1,024 features per image
 * ```
 */
export function createPixelExtractor(inputShape: readonly [number, number, number]): FeatureExtractor {
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== 3 ||
    inputShape.some((size) => !Number.isInteger(size) || size < 1)
  ) {
    throw new ProbeError(
      `Expected \`inputShape\` to be [height, width, channels] of positive integers, got \`${describeValue(inputShape)}\``,
    );
  }
  const shape = [...inputShape] as [number, number, number];
  const dimension = shape[0] * shape[1] * shape[2];
  return {
    name: 'pixels',
    dimension,
    inputShape: shape,
    fingerprint: `pixels:${shape.join('x')}`,
    extract: (images) => tf.reshape(images, [images.shape[0], dimension]),
    dispose: () => {},
  };
}

/** FNV-1a (32-bit) over bytes, as 8 hex digits; for fingerprints, not security. */
export function hashBytes(bytes: Uint8Array, seed = 0x811c9dc5): string {
  let hash = seed >>> 0;
  for (let index = 0; index < bytes.length; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
