import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import {
  centerCrop,
  openCifar,
  openIdx,
  openImageFolder,
  openLmdbImages,
  openMnistPackage,
  openSvhn,
  pad,
  resize,
  toGrayscale,
  toRgb,
  type ImageSource,
  type ImageTransform,
} from '@dcgan/data';

import { UsageError } from './usage-error.js';

export const datasetFormats = ['mnist-package', 'folder', 'lmdb', 'cifar10', 'svhn', 'idx'] as const;
export type DatasetFormat = (typeof datasetFormats)[number];

export interface OpenedDataset {
  readonly source: ImageSource;
  readonly format: DatasetFormat;
  /** Decode-time transform to the hasher's input (`size` x `size` x `channels`). */
  readonly transform: ImageTransform;
}

/**
 * Opens the dataset named on the command line. Photos get the paper's hasher input, a center crop resized to
 * `size`; 28px digits are padded to 32 (then resized); 32px sets are resized only when `size` differs.
 */
export async function openDataset(data: string | null, format: DatasetFormat | null, size: number, channels: 1 | 3): Promise<OpenedDataset> {
  const colour = channels === 1 ? toGrayscale() : toRgb();
  const fromDigits: ImageTransform = size === 32 ? [pad(32), colour] : [pad(32), resize(size), colour];
  const from32: ImageTransform = size === 32 ? [colour] : [resize(size), colour];
  const fromPhotos: ImageTransform = [centerCrop(), resize(size), colour];
  if (format === 'mnist-package' || (data === null && format === null)) {
    return { source: await openMnistPackage(), format: 'mnist-package', transform: fromDigits };
  }
  if (data === null) throw new UsageError(`\`--format ${format}\` needs \`--data <path>\``);
  const resolved = format ?? (await guessFormat(data));
  switch (resolved) {
    case 'folder':
      return { source: await openImageFolder(data), format: resolved, transform: fromPhotos };
    case 'lmdb':
      return { source: await openLmdbImages(data), format: resolved, transform: fromPhotos };
    case 'cifar10': {
      const nested = join(data, 'cifar-10-batches-bin');
      return { source: await openCifar((await isDirectory(nested)) ? nested : data), format: resolved, transform: from32 };
    }
    case 'svhn':
      return { source: await openSvhn(data), format: resolved, transform: from32 };
    case 'idx':
      return { source: await openIdx(data), format: resolved, transform: fromDigits };
    default:
      throw new UsageError(`Unknown dataset format \`${String(resolved)}\``);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Guesses the format from the path: .mat is SVHN, -ubyte(.gz) is IDX, data.mdb inside is LMDB, *.bin batches are CIFAR. */
export async function guessFormat(path: string): Promise<DatasetFormat> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`\`--data ${path}\` does not exist`);
  if (info.isFile()) {
    if (path.endsWith('.mat')) return 'svhn';
    if (/ubyte(\.gz)?$/.test(path)) return 'idx';
    throw new UsageError(`Cannot tell the format of \`${path}\`; pass \`--format\` (${datasetFormats.join(', ')})`);
  }
  if (await stat(join(path, 'data.mdb')).catch(() => undefined)) return 'lmdb';
  if ((await isDirectory(join(path, 'cifar-10-batches-bin'))) || (await stat(join(path, 'data_batch_1.bin')).catch(() => undefined))) return 'cifar10';
  return 'folder';
}
