import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { DataError } from '../errors/data-error';
import { defaultImageExtensions, listFilesRecursive } from '../io/list-files';
import { defineSource, type LabelledImageSource } from '../source/define-source';

/** Options of {@link openImageFolder}. */
export interface ImageFolderOptions {
  /**
   * `subfolders`: ImageNet style, each top-level subfolder is a class (label = its index in sorted order) and files
   * directly in the root are ignored. `none`: every image, unlabelled.
   * @default 'none'
   */
  readonly labels?: 'none' | 'subfolders';
  /** File extensions to read, case-insensitive. GIFs give their first frame. @default ['.jpg', '.jpeg', '.png', '.webp', '.gif'] */
  readonly extensions?: readonly string[];
}

/** A folder source: also tells which files it found. */
export interface ImageFolderSource extends LabelledImageSource {
  /** Image paths relative to the root, `/`-separated, in item order. */
  readonly files: readonly string[];
  /** Files skipped at listing time: other extensions, and root-level files in `subfolders` mode. */
  readonly ignoredFileCount: number;
  /** Files reached a second time through a symbolic link: listed once. */
  readonly duplicateFileCount: number;
  /** Folders reached a second time through a symbolic link (e.g. a link to a parent): walked once. */
  readonly duplicateFolderCount: number;
}

/**
 * A folder of images (recursive: JPEG, PNG, WebP, GIF) as a random-access source, decoded by sharp in the pipeline.
 * Corrupt files are skipped and reported by `createBatches` / `iterateSamples`.
 *
 * @example
 * const imagenet = await openImageFolder('data/imagenet/train', { labels: 'subfolders' });
 * imagenet.classNames; // ['n01440764', 'n01443537', ...]
 * const stream = createBatches(imagenet, { batchSize: 128, transform: centerCropThenResize(32) });
 */
export async function openImageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderSource> {
  const { labels: labelMode = 'none', extensions = defaultImageExtensions } = options;
  if (labelMode !== 'none' && labelMode !== 'subfolders')
    throw new DataError(`Expected \`labels\` to be 'none' or 'subfolders', got \`${String(labelMode)}\``);
  if (extensions.length === 0 || extensions.some((extension) => !extension.startsWith('.'))) {
    throw new DataError(
      `Expected \`extensions\` to be a non-empty list like ['.jpg', '.png'], got \`${JSON.stringify(extensions)}\``,
    );
  }
  const listing = await listFilesRecursive(root, extensions);
  let files = listing.files;
  let ignored = listing.ignored;
  let classNames: string[] | undefined;
  let labels: Int32Array;
  if (labelMode === 'subfolders') {
    const nested = files.filter((file) => file.includes('/'));
    ignored += files.length - nested.length;
    files = nested;
    classNames = [...new Set(files.map((file) => file.slice(0, file.indexOf('/'))))].sort((left, right) =>
      left < right ? -1 : left > right ? 1 : 0,
    );
    const classIndex = new Map(classNames.map((name, index) => [name, index]));
    labels = Int32Array.from(files, (file) => classIndex.get(file.slice(0, file.indexOf('/')))!);
  } else {
    labels = new Int32Array(files.length).fill(-1);
  }
  if (files.length === 0) {
    throw new DataError(
      `${root}: no images found (looked for ${extensions.join(', ')}${labelMode === 'subfolders' ? ' inside class subfolders' : ''})`,
      { file: root },
    );
  }
  const { duplicateFiles, duplicateFolders } = listing;
  const duplicates =
    duplicateFiles + duplicateFolders === 0
      ? ''
      : `; skipped as reached again through links: ${duplicateFiles} file(s), ${duplicateFolders} folder(s)`;
  const source = defineSource({
    description: `image folder (${root}, ${files.length} images${classNames === undefined ? '' : `, ${classNames.length} classes`}${duplicates})`,
    length: files.length,
    classNames,
    readItem: async (index) => {
      const path = join(root, files[index]!);
      const label = labels[index]!;
      // A file that cannot be read is an item-level problem: the pipeline skips and reports it.
      const encoded = await readFile(path).catch((error: unknown) => {
        throw Object.assign(
          new DataError(`cannot read file: ${(error as Error).message}`, { cause: error, file: path }),
          { itemKey: path },
        );
      });
      return { key: path, label: label === -1 ? undefined : label, payload: { encoded } };
    },
    readLabels: async () => labels.slice(),
  });
  return Object.assign(source, {
    files,
    ignoredFileCount: ignored,
    duplicateFileCount: duplicateFiles,
    duplicateFolderCount: duplicateFolders,
  }) as ImageFolderSource;
}
