import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DcganError } from '@dcgan/common';
import { generate } from './generate';

/** A packed 8-bit image, row-major, channels interleaved (gray or RGB); ready for a PNG encoder. */
export interface ImageGrid {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/** Options of {@link imageGrid} and {@link sampleGrid}. */
export interface ImageGridOptions {
  /**
   * Images per row.
   * @default Math.ceil(Math.sqrt(count))
   */
  readonly columns?: number;
  /**
   * Pixels between images and around the edge.
   * @default 2
   */
  readonly padding?: number;
  /**
   * Gray level (0-255) of the padding.
   * @default 0
   */
  readonly background?: number;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new DcganError(`Expected \`${name}\` to be a non-negative integer, got \`${String(value)}\``);
  }
  return value;
}

/**
 * Tiles images in [-1, 1] (`[count, height, width, 1 | 3]`) into one 8-bit grid image, mapping -1 to 0
 * and 1 to 255. Pure: no files, no image library. Does not dispose `images`.
 *
 * @example
 * ```ts
 * const grid = await imageGrid(images, { columns: 8 });
 * await sharp(grid.data, { raw: grid }).png().toFile('samples.png');
 * ```
 */
export async function imageGrid(images: tf.Tensor4D, options: ImageGridOptions = {}): Promise<ImageGrid> {
  const [count, imageHeight, imageWidth, channels] = images.shape;
  if (images.rank !== 4 || count === 0 || (channels !== 1 && channels !== 3)) {
    throw new DcganError(
      `Expected \`images\` to have shape [count > 0, height, width, 1 | 3], got [${images.shape.join(', ')}]`,
    );
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  if (!Number.isInteger(columns) || columns <= 0) {
    throw new DcganError(`Expected \`columns\` to be a positive integer, got \`${String(columns)}\``);
  }
  const padding = nonNegativeInteger(options.padding ?? 2, 'padding');
  const background = nonNegativeInteger(options.background ?? 0, 'background');
  if (background > 255) throw new DcganError(`Expected \`background\` to be at most 255, got \`${background}\``);

  const rows = Math.ceil(count / columns);
  const width = columns * imageWidth + (columns + 1) * padding;
  const height = rows * imageHeight + (rows + 1) * padding;
  const data = new Uint8Array(width * height * channels).fill(background);
  const values = await images.data();
  for (let image = 0; image < count; image++) {
    const left = padding + (image % columns) * (imageWidth + padding);
    const top = padding + Math.floor(image / columns) * (imageHeight + padding);
    for (let y = 0; y < imageHeight; y++) {
      let source = (image * imageHeight + y) * imageWidth * channels;
      let target = ((top + y) * width + left) * channels;
      for (let x = 0; x < imageWidth * channels; x++) {
        const value = Math.round(((values[source++] ?? 0) + 1) * 127.5);
        data[target++] = value < 0 ? 0 : value > 255 ? 255 : value;
      }
    }
  }
  return { width, height, channels, data };
}

/**
 * Generates one image per latent vector (inference mode) and tiles them with {@link imageGrid}: the
 * fixed-noise sample grid of a training run. Does not dispose `z`.
 *
 * @example
 * ```ts
 * const fixedNoise = sampleLatent(64, 100, 1234);
 * const grid = await sampleGrid(generator, fixedNoise, { columns: 8 });
 * ```
 */
export async function sampleGrid(
  generator: tfl.LayersModel,
  z: tf.Tensor2D,
  options: ImageGridOptions = {},
): Promise<ImageGrid> {
  const images = generate(generator, z);
  try {
    return await imageGrid(images, options);
  } finally {
    images.dispose();
  }
}
