import sharp from 'sharp';

import { writeFileAtomic } from '@dcgan/common/node';

import { assertRawImage, type RawImage } from './raw-image';

/**
 * Encodes a raw image (1-4 channels) as PNG bytes with sharp.
 *
 * @example
 * const png = await encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array([0, 255, 255, 0]) });
 */
export async function encodePng(image: RawImage): Promise<Uint8Array> {
  assertRawImage(image);
  const { width, height, channels } = image;
  const buffer = await sharp(image.data, { raw: { width, height, channels } }).png().toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/**
 * Encodes a raw image as PNG and writes it to `path` atomically and durably (see `writeFileAtomic`).
 *
 * @example
 * await writePng('digit.png', sample.image);
 */
export async function writePng(path: string, image: RawImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(image));
}
