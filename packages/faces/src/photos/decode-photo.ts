import sharp from 'sharp';

import type { RawImage } from '@dcgan/data';

import { FacesError } from '../errors/faces-error';

async function toRawRgb(pipeline: sharp.Sharp): Promise<RawImage> {
  const { data, info } = await pipeline
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new FacesError(`expected 3 channels after conversion to sRGB, got ${info.channels}`);
  return {
    width: info.width,
    height: info.height,
    channels: 3,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

/** Photos larger than this many pixels are refused unread (64 megapixels: any camera but medium format). */
export const defaultMaxPhotoPixels = 64_000_000;

/**
 * Decodes a photo to RGB pixels, turned upright by its EXIF orientation (the frame that @dcgan/data's face-crop
 * source crops in). Undecodable bytes, and photos whose header claims more than `maxPixels` pixels (a 250 KB PNG can
 * claim 256 megapixels, a gigabyte once decoded), reject with a `FacesError` naming `file`.
 *
 * @example
 * const photo = await decodePhoto(await readFile('party.jpg'), 'party.jpg');
 */
export async function decodePhoto(
  encoded: Uint8Array,
  file: string,
  maxPixels = defaultMaxPhotoPixels,
): Promise<RawImage> {
  try {
    const { width = 0, height = 0 } = await sharp(encoded, { pages: 1 }).metadata();
    if (width * height > maxPixels) {
      const megapixels = (pixels: number): string => String(Number((pixels / 1e6).toPrecision(4)));
      throw new FacesError(
        `${width} x ${height} is ${megapixels(width * height)} megapixels, more than the limit of ${megapixels(maxPixels)} (maxPhotoPixels; raise it with --max-megapixels)`,
      );
    }
    // sharp checks the limit again while decoding (for headers that understate).
    return await toRawRgb(sharp(encoded, { pages: 1, limitInputPixels: maxPixels }).autoOrient());
  } catch (error) {
    if (FacesError.isInstance(error)) throw new FacesError(`${file}: ${error.message}`, { file });
    throw new FacesError(`${file}: cannot decode image: ${(error as Error).message}`, { cause: error, file });
  }
}

/** Converts decoded pixels of any channel count to RGB. */
export async function rawToRgb(image: RawImage): Promise<RawImage> {
  if (image.channels === 3) return image;
  const { width, height, channels } = image;
  return toRawRgb(sharp(image.data, { raw: { width, height, channels } }));
}

/**
 * Shrinks an RGB image so that its longer side is at most `longerSide` (never enlarges); returns it and the factors
 * that map its pixels back to the original's.
 */
export async function shrinkForDetection(
  image: RawImage,
  longerSide: number,
): Promise<{ readonly image: RawImage; readonly scaleX: number; readonly scaleY: number }> {
  if (Math.max(image.width, image.height) <= longerSide) return { image, scaleX: 1, scaleY: 1 };
  const { width, height, channels } = image;
  const shrunk = await toRawRgb(
    sharp(image.data, { raw: { width, height, channels } }).resize({
      width: longerSide,
      height: longerSide,
      fit: 'inside',
    }),
  );
  return { image: shrunk, scaleX: width / shrunk.width, scaleY: height / shrunk.height };
}
