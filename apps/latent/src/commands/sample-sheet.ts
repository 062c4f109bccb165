import { join } from 'node:path';

import { generate, sampleLatent } from '@dcgan/core';
import { generatorShape } from '@dcgan/latent';
import * as tf from '@tensorflow/tfjs-core';

import { tensorToTiles, writeGrid } from '../grid-image.js';
import type { CommandContext } from './command-context.js';

/**
 * The numbered sheet of `sampleLatent(count, latentDim, seed)` that users pick samples from (by the
 * number in each tile's corner). Returns the latent vectors (caller disposes) and the sheet's path.
 */
export async function writeSampleSheet(
  context: CommandContext,
  name: string,
  count: number,
  seed: number,
): Promise<{ z: tf.Tensor2D; path: string }> {
  const { latentDim } = generatorShape(context.models.generator);
  const z = sampleLatent(count, latentDim, seed);
  const images = generate(context.models.generator, z);
  const path = join(context.out, name);
  try {
    await writeGrid(path, await tensorToTiles(images), {
      columns: Math.ceil(Math.sqrt(count)),
      zoom: context.zoom,
      numbered: true,
    });
  } finally {
    images.dispose();
  }
  return { z, path };
}

/** Rows of `z` picked by sample number. */
export function pick(z: tf.Tensor2D, indices: readonly number[]): tf.Tensor2D {
  return tf.gather(z, [...indices]) as tf.Tensor2D;
}
