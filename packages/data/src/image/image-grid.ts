import { DataError } from '../errors/data-error';
import { writePng } from './encode-png';
import { assertRawImage, type RawImage } from './raw-image';

/** Options of {@link composeImageGrid} and {@link writeImageGrid}. */
export interface ImageGridOptions {
  /** Images per row. @default ceil(sqrt(count)) */
  readonly columns?: number;
  /** Pixels between images and around the grid. @default 2 */
  readonly padding?: number;
  /** Byte value of the padding, all channels. @default 0 */
  readonly background?: number;
}

/**
 * Tiles same-sized images into one image, row by row (the sample sheets of the paper's figures).
 *
 * @example
 * const sheet = composeImageGrid(images, { columns: 8 });
 */
export function composeImageGrid(images: readonly RawImage[], options: ImageGridOptions = {}): RawImage {
  const first = images[0];
  if (first === undefined) throw new DataError('Expected `images` to hold at least one image, got none');
  images.forEach((image, index) => assertRawImage(image, `image ${index} of the grid`));
  const mismatch = images.findIndex(
    (image) => image.width !== first.width || image.height !== first.height || image.channels !== first.channels,
  );
  if (mismatch !== -1) {
    const other = images[mismatch]!;
    throw new DataError(
      `Expected all grid images to be ${first.width}x${first.height}x${first.channels}, image ${mismatch} is ${other.width}x${other.height}x${other.channels}`,
    );
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(images.length));
  const padding = options.padding ?? 2;
  const background = options.background ?? 0;
  if (!Number.isInteger(columns) || columns < 1)
    throw new DataError(`Expected \`columns\` to be a positive integer, got \`${columns}\``);
  if (!Number.isInteger(padding) || padding < 0)
    throw new DataError(`Expected \`padding\` to be a non-negative integer, got \`${padding}\``);
  if (!Number.isInteger(background) || background < 0 || background > 255)
    throw new DataError(`Expected \`background\` to be an integer in 0..255, got \`${background}\``);
  const rows = Math.ceil(images.length / columns);
  const { channels } = first;
  const width = columns * first.width + (columns + 1) * padding;
  const height = rows * first.height + (rows + 1) * padding;
  const data = new Uint8Array(width * height * channels).fill(background);
  const rowBytes = first.width * channels;
  images.forEach((image, index) => {
    const left = padding + (index % columns) * (first.width + padding);
    const top = padding + Math.floor(index / columns) * (first.height + padding);
    for (let row = 0; row < image.height; row += 1) {
      data.set(image.data.subarray(row * rowBytes, (row + 1) * rowBytes), ((top + row) * width + left) * channels);
    }
  });
  return { width, height, channels, data };
}

/**
 * Tiles images into a grid and writes it as a PNG (atomically).
 *
 * @example
 * await writeImageGrid('samples/epoch-3.png', floatsToImages(await fake.data(), fake.shape), { columns: 8 });
 */
export async function writeImageGrid(
  path: string,
  images: readonly RawImage[],
  options: ImageGridOptions = {},
): Promise<void> {
  await writePng(path, composeImageGrid(images, options));
}

/**
 * Splits an NHWC float batch into raw images, mapping `range` (default the generator's [-1, 1]) to 0..255 with
 * clamping and rounding.
 *
 * @example
 * const images = floatsToImages(await tensor.data(), tensor.shape as [number, number, number, number]);
 */
export function floatsToImages(
  values: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  range: readonly [number, number] = [-1, 1],
): RawImage[] {
  const [count, height, width, channels] = shape;
  if (![1, 2, 3, 4].includes(channels))
    throw new DataError(`Expected the channel count (shape[3]) to be 1-4, got \`${channels}\``);
  const size = height * width * channels;
  if (values.length !== count * size)
    throw new DataError(`Expected ${count * size} values for shape [${shape.join(', ')}], got \`${values.length}\``);
  const [low, high] = range;
  if (!(high > low))
    throw new DataError(`Expected \`range\` to be [low, high] with high > low, got \`[${low}, ${high}]\``);
  const scale = 255 / (high - low);
  const images: RawImage[] = [];
  for (let image = 0; image < count; image += 1) {
    const data = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += 1) {
      const value = Math.round((values[image * size + offset]! - low) * scale);
      data[offset] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
    images.push({ width, height, channels: channels as RawImage['channels'], data });
  }
  return images;
}
