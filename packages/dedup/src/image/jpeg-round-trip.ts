import type { RawImage } from '@dcgan/data';
import sharp from 'sharp';

import { DedupError } from '../errors/dedup-error';

/** The image after a JPEG round trip at `quality` (1-100) through sharp (libjpeg), in its own channel count. */
export async function reencodeJpeg(image: RawImage, quality: number): Promise<RawImage> {
  const { width, height, channels } = image;
  const jpeg = await sharp(image.data, { raw: { width, height, channels } }).jpeg({ quality }).toBuffer();
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height)
    throw new DedupError(`JPEG round trip changed the size to ${info.width}x${info.height}`);
  return toChannels(new Uint8Array(data.buffer, data.byteOffset, data.length), info.channels, image);
}

/** sharp may hand back a different channel count (JPEG is 1 or 3); bring it back to the original's. */
export function toChannels(data: Uint8Array, channels: number, like: RawImage): RawImage {
  if (channels === like.channels) return { width: like.width, height: like.height, channels: like.channels, data };
  const pixels = like.width * like.height;
  const out = new Uint8Array(pixels * like.channels);
  for (let pixel = 0; pixel < pixels; pixel += 1) {
    for (let channel = 0; channel < like.channels; channel += 1)
      out[pixel * like.channels + channel] = data[pixel * channels + Math.min(channel, channels - 1)]!;
  }
  return { width: like.width, height: like.height, channels: like.channels, data: out };
}
