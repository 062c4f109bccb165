import { deriveSeed } from '@dcgan/common';

/**
 * An independent 31-bit seed for one use of a user's seed (`deriveSeed` of @dcgan/common under this package's
 * name), so that e.g. neighbour noise and waypoints drawn with the same `--seed` are unrelated. Never 0.
 *
 * @example
 * tf.randomUniform([8, 100], -1, 1, 'float32', derivedSeed(seed, 'neighbours'));
 */
export function derivedSeed(seed: number, ...labels: ReadonlyArray<string | number>): number {
  return deriveSeed('dcgan-latent', seed, ...labels);
}
