import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { DataError } from '../errors/data-error';
import { BinaryFile } from '../io/binary-file';
import { defineSource, type LabelledImageSource } from '../source/define-source';

/** Options of {@link openCifar}. */
export interface CifarOptions {
  /**
   * With a directory: which batches to read, `train` (`data_batch_*.bin`) or `test` (`test_batch.bin`; CIFAR-100:
   * `train.bin` / `test.bin`). Ignored when files are given.
   * @default 'train'
   */
  readonly split?: 'train' | 'test';
  /**
   * `cifar-10`: records of 1 label byte + 3,072 pixel bytes. `cifar-100`: 2 label bytes (coarse, fine) + 3,072.
   * @default 'cifar-10'
   */
  readonly variant?: 'cifar-10' | 'cifar-100';
  /** CIFAR-100 only: which label to report. @default 'fine' */
  readonly labelKind?: 'fine' | 'coarse';
}

const side = 32;
const pixelBytes = side * side * 3;

async function resolveFiles(
  pathOrFiles: string | readonly string[],
  split: 'train' | 'test',
  variant: string,
): Promise<{ files: string[]; directory?: string }> {
  if (typeof pathOrFiles !== 'string') {
    if (pathOrFiles.length === 0) throw new DataError('Expected at least one CIFAR batch file, got none');
    return { files: [...pathOrFiles] };
  }
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(pathOrFiles)).isDirectory();
  } catch (error) {
    throw new DataError(`${pathOrFiles}: cannot read: ${(error as Error).message}`, {
      cause: error,
      file: pathOrFiles,
    });
  }
  if (!isDirectory) return { files: [pathOrFiles] };
  const names = await readdir(pathOrFiles);
  const pattern =
    variant === 'cifar-100'
      ? split === 'train'
        ? /^train\.bin$/
        : /^test\.bin$/
      : split === 'train'
        ? /^data_batch_\d+\.bin$/
        : /^test_batch\.bin$/;
  const files = names
    .filter((name) => pattern.test(name))
    .sort((left, right) => left.localeCompare(right, 'en', { numeric: true }))
    .map((name) => join(pathOrFiles, name));
  if (files.length === 0) {
    throw new DataError(
      `${pathOrFiles}: no ${variant} ${split} batches found (expected ${pattern.source.replaceAll('\\', '')}); is this the binary version of the dataset?`,
      {
        file: pathOrFiles,
      },
    );
  }
  return { files, directory: pathOrFiles };
}

async function readClassNames(
  directory: string | undefined,
  variant: string,
  labelKind: string,
): Promise<string[] | undefined> {
  if (directory === undefined) return undefined;
  const metaName =
    variant === 'cifar-100'
      ? labelKind === 'fine'
        ? 'fine_label_names.txt'
        : 'coarse_label_names.txt'
      : 'batches.meta.txt';
  try {
    const lines = (await readFile(join(directory, metaName), 'utf8'))
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
    return lines;
  } catch {
    return undefined;
  }
}

/**
 * CIFAR-10 (or CIFAR-100) binary batches as a random-access source of 32x32 RGB images with labels. Takes the
 * `cifar-10-batches-bin` directory (with `split`) or a list of batch files. Files are validated when opened: a size
 * that is not a whole number of records, or a label out of range, is an error naming the file.
 *
 * @example
 * const train = await openCifar('data/cifar-10-batches-bin');           // 50,000 images
 * const test = await openCifar('data/cifar-10-batches-bin', { split: 'test' });
 */
export async function openCifar(
  pathOrFiles: string | readonly string[],
  options: CifarOptions = {},
): Promise<LabelledImageSource> {
  const { split = 'train', variant = 'cifar-10', labelKind = 'fine' } = options;
  if (split !== 'train' && split !== 'test')
    throw new DataError(`Expected \`split\` to be 'train' or 'test', got \`${String(split)}\``);
  if (variant !== 'cifar-10' && variant !== 'cifar-100')
    throw new DataError(`Expected \`variant\` to be 'cifar-10' or 'cifar-100', got \`${String(variant)}\``);
  const labelBytes = variant === 'cifar-10' ? 1 : 2;
  const recordBytes = labelBytes + pixelBytes;
  const classCount = variant === 'cifar-10' ? 10 : labelKind === 'fine' ? 100 : 20;
  const labelOffset = variant === 'cifar-10' ? 0 : labelKind === 'fine' ? 1 : 0;
  const { files, directory } = await resolveFiles(pathOrFiles, split, variant);

  const handles: BinaryFile[] = [];
  const starts: number[] = [];
  const labelParts: Int32Array[] = [];
  let total = 0;
  try {
    for (const file of files) {
      const handle = await BinaryFile.open(file);
      handles.push(handle);
      if (handle.size === 0 || handle.size % recordBytes !== 0) {
        throw new DataError(
          `${file}: size ${handle.size} bytes is not a whole number of ${recordBytes}-byte ${variant} records (${labelBytes} label byte${labelBytes > 1 ? 's' : ''} + 3,072 pixel bytes); the file is truncated or not a ${variant} binary batch`,
          { file },
        );
      }
      const count = handle.size / recordBytes;
      const labels = new Int32Array(count);
      // Read labels in chunks of whole records: validates every label without holding the file.
      const chunkRecords = 1024;
      for (let first = 0; first < count; first += chunkRecords) {
        const records = Math.min(chunkRecords, count - first);
        const chunk = await handle.read(first * recordBytes, records * recordBytes, 'records');
        for (let record = 0; record < records; record += 1) {
          const label = chunk[record * recordBytes + labelOffset]!;
          if (label >= classCount) {
            throw new DataError(
              `${file}: record ${first + record} has label ${label}, expected 0-${classCount - 1}; not a ${variant} binary batch?`,
              { file },
            );
          }
          labels[first + record] = label;
        }
      }
      starts.push(total);
      labelParts.push(labels);
      total += count;
    }
  } catch (error) {
    await Promise.all(handles.map((handle) => handle.close()));
    throw error;
  }
  const labels = new Int32Array(total);
  labelParts.forEach((part, index) => labels.set(part, starts[index]!));
  const classNames = await readClassNames(directory, variant, labelKind);

  return defineSource({
    description: `${variant} binary (${files.map((file) => basename(file)).join(', ')})`,
    length: total,
    classNames: classNames?.length === classCount ? classNames : undefined,
    readItem: async (index) => {
      let fileIndex = starts.length - 1;
      while (starts[fileIndex]! > index) fileIndex -= 1;
      const handle = handles[fileIndex]!;
      const record = index - starts[fileIndex]!;
      const planes = await handle.read(record * recordBytes + labelBytes, pixelBytes, `record ${record}`);
      // Stored as three 32x32 planes (R, G, B); images here are interleaved HWC.
      const data = new Uint8Array(pixelBytes);
      const planeSize = side * side;
      for (let pixel = 0; pixel < planeSize; pixel += 1) {
        data[pixel * 3] = planes[pixel]!;
        data[pixel * 3 + 1] = planes[planeSize + pixel]!;
        data[pixel * 3 + 2] = planes[2 * planeSize + pixel]!;
      }
      return {
        key: `${handle.path}#${record}`,
        label: labels[index]!,
        payload: { width: side, height: side, channels: 3, data },
      };
    },
    readLabels: async () => labels.slice(),
    close: async () => {
      await Promise.all(handles.map((handle) => handle.close()));
    },
  }) as LabelledImageSource;
}
