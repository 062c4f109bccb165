import { basename } from 'node:path';

import { DataError } from '../errors/data-error';
import { MatFile } from '../formats/mat-v5';
import { defineSource, type LabelledImageSource } from '../source/define-source';
import type { SourceItem } from '../source/image-source';

/** Options of {@link openSvhn}. */
export interface SvhnOptions {
  /**
   * Compressed files must be inflated to read items at random (for shuffling). Up to this many bytes of images are
   * inflated into memory (train: 225 MB, test: 80 MB); larger compressed files (extra: 1.6 GB) are stream-only:
   * `createBatches` shuffles them with a buffer, or cache them with `createShardCache` for a full shuffle.
   * Uncompressed files are always read at random from disk.
   * @default 1 GiB
   */
  readonly maximumInMemoryBytes?: number;
}

const side = 32;
const imageBytes = side * side * 3;

function toInterleaved(columnMajor: Uint8Array): Uint8Array {
  // MATLAB stores X(row, column, channel, n) column-major: row varies fastest, then column, then channel.
  const data = new Uint8Array(imageBytes);
  for (let channel = 0; channel < 3; channel += 1) {
    for (let column = 0; column < side; column += 1) {
      for (let row = 0; row < side; row += 1) {
        data[(row * side + column) * 3 + channel] = columnMajor[row + side * column + side * side * channel]!;
      }
    }
  }
  return data;
}

/**
 * SVHN's cropped-digits files (`train_32x32.mat`, `test_32x32.mat`, `extra_32x32.mat`: MATLAB v5 with `X` of
 * 32x32x3xN uint8 and `y` of Nx1) as a source of 32x32 RGB images. Label 10 means the digit 0 and is mapped to 0.
 *
 * @example
 * const train = await openSvhn('data/svhn/train_32x32.mat'); // 73,257 labelled digits
 */
export async function openSvhn(path: string, options: SvhnOptions = {}): Promise<LabelledImageSource> {
  const maximumInMemoryBytes = options.maximumInMemoryBytes ?? 2 ** 30;
  const mat = await MatFile.open(path);
  try {
    const imagesVariable = mat.variables.find((variable) => variable.name === 'X');
    const labelsVariable = mat.variables.find((variable) => variable.name === 'y');
    if (imagesVariable === undefined || labelsVariable === undefined) {
      throw new DataError(
        `${path}: expected variables \`X\` and \`y\` of SVHN's format 2 (cropped digits), found ${mat.variables.map((variable) => `\`${variable.name}\``).join(', ') || 'none'}`,
        {
          file: path,
        },
      );
    }
    const [rows, columns, channels, count = 1] = imagesVariable.dimensions;
    if (
      imagesVariable.className !== 'uint8' ||
      imagesVariable.storageType !== 'miUINT8' ||
      rows !== side ||
      columns !== side ||
      channels !== 3 ||
      imagesVariable.dimensions.length > 4
    ) {
      throw new DataError(
        `${path}: expected \`X\` to be a 32x32x3xN uint8 array, got ${imagesVariable.dimensions.join('x')} ${imagesVariable.className}${imagesVariable.storageType === undefined ? '' : ` stored as ${imagesVariable.storageType}`}`,
        { file: path },
      );
    }
    const labelCount = labelsVariable.dimensions.reduce((product, size) => product * size, 1);
    if (labelCount !== count || labelsVariable.dimensions.filter((size) => size !== 1).length > 1) {
      throw new DataError(
        `${path}: expected \`y\` to hold ${count} labels (Nx1), got ${labelsVariable.dimensions.join('x')}`,
        { file: path },
      );
    }
    const values = await mat.readNumbers('y');
    const labels = new Int32Array(count);
    values.forEach((value, index) => {
      if (!Number.isInteger(value) || value < 0 || value > 10) {
        throw new DataError(`${path}: label ${index} is \`${value}\`; SVHN labels are 1-10 (10 meaning the digit 0)`, {
          file: path,
        });
      }
      labels[index] = value % 10;
    });

    let inMemory: Promise<Uint8Array> | undefined;
    const compressedAndLarge = imagesVariable.compressed && imagesVariable.dataBytes > maximumInMemoryBytes;
    const readImage = async (index: number): Promise<Uint8Array> => {
      if (!imagesVariable.compressed) return mat.readDataRange('X', index * imageBytes, imageBytes);
      inMemory ??= mat.readData('X');
      return (await inMemory).subarray(index * imageBytes, (index + 1) * imageBytes);
    };
    const item = (index: number, columnMajor: Uint8Array): SourceItem => ({
      key: `${path}#${index}`,
      label: labels[index]!,
      payload: { width: side, height: side, channels: 3, data: toInterleaved(columnMajor) },
    });

    return defineSource({
      description: `SVHN cropped digits (${basename(path)})`,
      length: count,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      ...(compressedAndLarge ? {} : { readItem: async (index: number) => item(index, await readImage(index)) }),
      items: async function* () {
        if (!imagesVariable.compressed || inMemory !== undefined || !compressedAndLarge) {
          for (let index = 0; index < count; index += 1) yield item(index, await readImage(index));
          return;
        }
        // Stream-inflate: memory stays at one chunk whatever the file's size.
        let pending = new Uint8Array(0);
        let index = 0;
        for await (const chunk of mat.streamData('X')) {
          const joined = new Uint8Array(pending.length + chunk.length);
          joined.set(pending);
          joined.set(chunk, pending.length);
          let offset = 0;
          while (offset + imageBytes <= joined.length) {
            yield item(index, joined.subarray(offset, offset + imageBytes));
            index += 1;
            offset += imageBytes;
          }
          pending = joined.slice(offset);
        }
      },
      readLabels: async () => labels.slice(),
      close: () => mat.close(),
    }) as LabelledImageSource;
  } catch (error) {
    await mat.close();
    throw error;
  }
}
