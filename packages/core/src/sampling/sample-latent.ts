import * as tf from '@tensorflow/tfjs-core';
import { DcganError, deriveSeed } from '@dcgan/common';
import { validateSeed } from '../model/seed';

/**
 * Draws `count` latent vectors z uniform in [-1, 1] (paper, section 3). The same seed gives the same
 * vectors on every backend (tfjs draws seeded randoms in JavaScript). The caller owns the tensor.
 *
 * @example
 * ```ts
 * const z = sampleLatent(64, 100, 42); // [64, 100]
 * ```
 */
export function sampleLatent(count: number, latentDim: number, seed: number): tf.Tensor2D {
  if (!Number.isInteger(count) || count <= 0) {
    throw new DcganError(`Expected \`count\` to be a positive integer, got \`${String(count)}\``);
  }
  if (!Number.isInteger(latentDim) || latentDim <= 0) {
    throw new DcganError(`Expected \`latentDim\` to be a positive integer, got \`${String(latentDim)}\``);
  }
  validateSeed(seed);
  return tf.randomUniform([count, latentDim], -1, 1, 'float32', deriveSeed(seed, 'latent')) as tf.Tensor2D;
}
