import { DataError } from '../errors/data-error';

/** Number of interleaved channels of a decoded image: gray, gray+alpha, RGB or RGBA. */
export type ChannelCount = 1 | 2 | 3 | 4;

/**
 * A decoded image: `height * width * channels` bytes, row-major, channels interleaved (HWC), 0..255.
 */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: ChannelCount;
  readonly data: Uint8Array;
}

/**
 * Checks that `image` is a well-formed {@link RawImage}, throwing a {@link DataError} that names `what` otherwise.
 *
 * @example
 * assertRawImage({ width: 2, height: 1, channels: 1, data: new Uint8Array(2) });
 */
export function assertRawImage(image: RawImage, what = 'image'): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || width < 1)
    throw new DataError(`Expected \`width\` of ${what} to be a positive integer, got \`${width}\``);
  if (!Number.isInteger(height) || height < 1)
    throw new DataError(`Expected \`height\` of ${what} to be a positive integer, got \`${height}\``);
  if (![1, 2, 3, 4].includes(channels))
    throw new DataError(`Expected \`channels\` of ${what} to be 1, 2, 3 or 4, got \`${channels}\``);
  if (!(data instanceof Uint8Array)) throw new DataError(`Expected \`data\` of ${what} to be a Uint8Array`);
  if (data.length !== width * height * channels) {
    throw new DataError(
      `Expected \`data\` of ${what} to hold width*height*channels = ${width * height * channels} bytes, got \`${data.length}\``,
    );
  }
}
