import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';

import type { BuildFaceDatasetOptions } from '../dataset/face-dataset-options';
import { readMnistDigit, resizeRaw, samplePhotoPath } from './sample-photos';

/**
 * The photos the shard tests search: three real group photos, a truncated JPEG and an MNIST digit (no face), so
 * that shards hold kept, rejected and unreadable photos.
 */
export async function writeFaceShardPhotos(photos: string): Promise<void> {
  await mkdir(join(photos, 'party'), { recursive: true });
  await copyFile(samplePhotoPath(1), join(photos, 'party', 'sample1.jpg'));
  await copyFile(samplePhotoPath(5), join(photos, 'sample5.jpg'));
  await copyFile(samplePhotoPath(6), join(photos, 'sample6.jpg'));
  await writeFile(join(photos, 'broken.jpg'), (await readFile(samplePhotoPath(2))).subarray(0, 4000));
  const digit = await resizeRaw(await readMnistDigit(3, 0), 448, 448);
  await sharp(digit.data, { raw: { width: 448, height: 448, channels: 1 } })
    .png()
    .toFile(join(photos, 'mnist-3.png'));
}

/** Settings shared by the single-process run and the shard workers: two tiles each, so the merge renumbers them. */
export const faceShardSettings = {
  minimumSize: 190,
  contactSheetLimit: 2,
} as const satisfies Partial<BuildFaceDatasetOptions>;
