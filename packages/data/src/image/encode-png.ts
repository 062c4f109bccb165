import { rename, writeFile } from 'node:fs/promises';

import sharp from 'sharp';

import { DataError } from '../errors/data-error';
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
 * Writes bytes to `path` atomically: a temporary file next to it, then a rename, so that a crash never leaves a
 * half-written file where a previous good one was.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    throw new DataError(`${path}: cannot write file: ${(error as Error).message}`, { cause: error, file: path });
  }
}

/**
 * Encodes a raw image as PNG and writes it (atomically) to `path`.
 *
 * @example
 * await writePng('digit.png', sample.image);
 */
export async function writePng(path: string, image: RawImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(image));
}
