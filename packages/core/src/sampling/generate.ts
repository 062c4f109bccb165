import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DcganError } from '@dcgan/common';

/** Options of {@link generate}. */
export interface GenerateOptions {
  /**
   * Latent vectors per forward pass.
   * @default 64
   */
  readonly batchSize?: number;
}

/**
 * Runs the generator in inference mode (batch norm uses its running statistics) and returns images in
 * [-1, 1], shape `[count, size, size, channels]`. Does not dispose `z`; the caller owns the result.
 *
 * @example
 * ```ts
 * const images = generate(generator, sampleLatent(16, 100, 1));
 * ```
 */
export function generate(generator: tfl.LayersModel, z: tf.Tensor2D, options: GenerateOptions = {}): tf.Tensor4D {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new DcganError(`Expected \`batchSize\` to be a positive integer, got \`${String(batchSize)}\``);
  }
  const expected = generator.inputs[0]?.shape[1];
  if (z.rank !== 2 || (expected != null && z.shape[1] !== expected)) {
    throw new DcganError(`Expected \`z\` to have shape [count, ${String(expected)}], got [${z.shape.join(', ')}]`);
  }
  return tf.tidy(() => generator.predict(z, { batchSize }) as tf.Tensor4D);
}
