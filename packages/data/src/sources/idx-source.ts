import { basename } from 'node:path';

import { DataError } from '../errors/data-error';
import { readIdxFile } from '../formats/idx';
import { defineSource, type LabelledImageSource } from '../source/define-source';

/** Options of {@link openIdx}. */
export interface IdxOptions {
  /** Labels file (`*-labels-idx1-ubyte[.gz]`). @default none: images are unlabelled */
  readonly labels?: string;
  /** Class names, e.g. Fashion-MNIST's. @default '0'..'9' when labels are given */
  readonly classNames?: readonly string[];
}

/**
 * MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST...), gzipped or not, as a random-access source of gray
 * images. The images file must be `N x rows x columns` (or `N x rows x columns x channels`, channels 1-4) bytes.
 * Files are loaded into memory (MNIST's training images are 47 MB).
 *
 * @example
 * const train = await openIdx('mnist/train-images-idx3-ubyte.gz', { labels: 'mnist/train-labels-idx1-ubyte.gz' });
 */
export async function openIdx(imagesPath: string, options: IdxOptions = {}): Promise<LabelledImageSource> {
  const images = await readIdxFile(imagesPath);
  const [count, height, width, channels = 1] = images.dimensions;
  if (
    images.dimensions.length < 3 ||
    images.dimensions.length > 4 ||
    channels < 1 ||
    channels > 4 ||
    !height ||
    !width
  ) {
    throw new DataError(
      `${imagesPath}: expected IDX images of shape N x rows x columns (or x channels 1-4), got ${images.dimensions.join(' x ')}`,
      { file: imagesPath },
    );
  }
  let labels: Int32Array | undefined;
  if (options.labels !== undefined) {
    const labelArray = await readIdxFile(options.labels);
    if (labelArray.dimensions.length !== 1) {
      throw new DataError(
        `${options.labels}: expected a 1-dimensional IDX labels file, got shape ${labelArray.dimensions.join(' x ')}`,
        { file: options.labels },
      );
    }
    if (labelArray.dimensions[0] !== count) {
      throw new DataError(
        `${options.labels}: holds ${labelArray.dimensions[0]} labels but ${imagesPath} holds ${count} images`,
        { file: options.labels },
      );
    }
    labels = Int32Array.from(labelArray.data);
  }
  const imageBytes = height * width * channels;
  const total = count!;
  const name = basename(imagesPath);
  return defineSource({
    description: `IDX images (${name}${options.labels === undefined ? '' : `, ${basename(options.labels)}`})`,
    length: total,
    classNames:
      options.classNames ?? (labels === undefined ? undefined : ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
    readItem: async (index) => ({
      key: `${imagesPath}#${index}`,
      label: labels?.[index],
      payload: {
        width,
        height,
        channels: channels as 1 | 2 | 3 | 4,
        data: images.data.subarray(index * imageBytes, (index + 1) * imageBytes),
      },
    }),
    readLabels: async () => (labels === undefined ? new Int32Array(total).fill(-1) : labels.slice()),
  }) as LabelledImageSource;
}
