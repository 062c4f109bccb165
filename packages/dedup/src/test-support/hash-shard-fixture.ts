import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { applyTransform, encodePng, openImageFolder, openMnistPackage, type ImageSource } from '@dcgan/data';

import { createExactPixelHasher } from '../hash/exact-pixel-hasher';
import type { ImageHasher } from '../hash/image-hasher';

/**
 * Writes the folder the shard tests hash: 30 real MNIST digits as PNG files, a copy of one, and two undecodable
 * files. Every process then opens the same folder, as the pods of a Job open the same volume.
 */
export async function writeHashShardFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const mnist = await openMnistPackage({ limitPerClass: 3 });
  for (let index = 0; index < mnist.length!; index += 1) {
    const png = await encodePng(await applyTransform((await mnist.readItem(index)).payload, []));
    await writeFile(join(folder, `digit-${String(index).padStart(2, '0')}.png`), png);
    if (index === 4) await writeFile(join(folder, 'digit-04-copy.png'), png);
    if (index === 9 || index === 20)
      await writeFile(join(folder, `digit-${String(index).padStart(2, '0')}-broken.png`), 'not a png');
  }
}

/** The folder as a source. */
export function hashShardSource(folder: string): Promise<ImageSource> {
  return openImageFolder(folder);
}

/** The exact-pixel hasher, slowed by `delayMs` per batch so that a test can kill a worker mid-way. */
export function slowHasher(delayMs: number): ImageHasher {
  const hasher = createExactPixelHasher();
  return {
    ...hasher,
    hashImages: async (images) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return hasher.hashImages(images);
    },
  };
}

/** Settings shared by the single-process run and the shard workers. */
export const hashShardSettings = { transform: [], chunkSize: 4, batchSize: 2, shiftProbes: 1 } as const;
