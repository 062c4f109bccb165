import { readFile } from 'node:fs/promises';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import type { RawImage } from '../image/raw-image';
import { fixture } from '../testing/fixtures';
import { applyTransform, squareRegionWithMargin } from './apply-transform';
import { cropRaw } from './raw-operations';
import {
  centerCrop,
  centerCropThenResize,
  horizontalFlip,
  pad,
  resize,
  resizeShortestSide,
  resizeThenCenterCrop,
  toGrayscale,
  toRgb,
} from './transform-step';

async function decodePng(path: string, gray = false): Promise<RawImage> {
  const pipeline = gray ? sharp(path).extractChannel(0) : sharp(path);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels as RawImage['channels'],
    data: new Uint8Array(data),
  };
}

function meanAbsoluteDifference(left: Uint8Array, right: Uint8Array): number {
  expect(left.length).toBe(right.length);
  let sum = 0;
  for (let index = 0; index < left.length; index += 1) sum += Math.abs(left[index]! - right[index]!);
  return sum / left.length;
}

const image = (width: number, height: number, channels: RawImage['channels'], values: number[]): RawImage => ({
  width,
  height,
  channels,
  data: Uint8Array.from(values),
});

describe('applyTransform against PIL references', () => {
  it('decodes a JPEG like PIL does (within JPEG decoder rounding)', async () => {
    const decoded = await applyTransform({ encoded: await readFile(fixture('images', 'cat', 'b.jpg')) });
    const reference = await decodePng(fixture('reference', 'b-decoded.png'));
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([40, 56, 3]);
    expect(meanAbsoluteDifference(decoded.data, reference.data)).toBeLessThan(1.5);
  });

  it('resize-shortest-side + center-crop (LSUN recipe) matches PIL Lanczos, fused or step by step', async () => {
    const encoded = await readFile(fixture('images', 'cat', 'a.png'));
    const reference = await decodePng(fixture('reference', 'a-resize16-crop16.png'));
    const fused = await applyTransform({ encoded }, resizeThenCenterCrop(16));
    expect([fused.width, fused.height, fused.channels]).toEqual([16, 16, 3]);
    expect(meanAbsoluteDifference(fused.data, reference.data)).toBeLessThan(1);
    // Not fusable (pad in front): raw path through the same steps.
    const raw = await applyTransform({ encoded }, [pad(1), ...resizeThenCenterCrop(16)]);
    expect([raw.width, raw.height]).toEqual([16, 16]);
    const stepwise = await applyTransform(await applyTransform({ encoded }), resizeThenCenterCrop(16));
    expect(Array.from(stepwise.data)).toEqual(Array.from(fused.data));
    // A crop one pixel off is far from the reference: the bound above is tight enough to catch it.
    const wide = await applyTransform({ encoded }, [resizeShortestSide(16)]);
    const shifted = cropRaw(wide, 2, 0, 16, 16);
    expect(meanAbsoluteDifference(shifted.data, reference.data)).toBeGreaterThan(3);
  });

  it('center-crop + resize (ImageNet recipe) matches PIL Lanczos', async () => {
    const encoded = await readFile(fixture('images', 'cat', 'a.png'));
    const reference = await decodePng(fixture('reference', 'a-crop-resize12.png'));
    const result = await applyTransform({ encoded }, centerCropThenResize(12));
    expect([result.width, result.height, result.channels]).toEqual([12, 12, 3]);
    expect(meanAbsoluteDifference(result.data, reference.data)).toBeLessThan(1);
  });

  it('keeps the aspect ratio when resizing the shortest side and crops non-square sizes', async () => {
    const encoded = await readFile(fixture('images', 'cat', 'a.png')); // 48x40
    const resized = await applyTransform({ encoded }, [resizeShortestSide(20)]);
    expect([resized.width, resized.height]).toEqual([24, 20]);
    const cropped = await applyTransform({ encoded }, [resizeShortestSide(20), centerCrop(10, 6)]);
    expect([cropped.width, cropped.height]).toEqual([10, 6]);
    const stretched = await applyTransform({ encoded }, [resize(7, 5)]);
    expect([stretched.width, stretched.height]).toEqual([7, 5]);
  });

  it('converts to gray like PIL convert("L") (BT.601 luma)', async () => {
    const gray = await applyTransform({ encoded: await readFile(fixture('images', 'cat', 'a.png')) }, [toGrayscale()]);
    const reference = await decodePng(fixture('reference', 'a-gray.png'), true);
    expect(gray.channels).toBe(1);
    expect(meanAbsoluteDifference(gray.data, reference.data)).toBeLessThanOrEqual(0.5);
  });

  it('rejects undecodable bytes with a DataError', async () => {
    await expect(applyTransform({ encoded: new Uint8Array([1, 2, 3, 4]) })).rejects.toMatchObject({
      name: 'DataError',
      message: /cannot decode image/,
    });
  });
});

describe('raw transforms', () => {
  it('pads centred with a value, as MNIST 28 -> 32 needs', async () => {
    const result = await applyTransform(image(2, 1, 1, [7, 9]), [pad(4, 3, 1)]);
    expect(Array.from(result.data)).toEqual([1, 1, 1, 1, 1, 7, 9, 1, 1, 1, 1, 1]);
  });

  it('replicates gray into RGB and composites alpha over black', async () => {
    expect(Array.from((await applyTransform(image(1, 1, 1, [40]), [toRgb()])).data)).toEqual([40, 40, 40]);
    expect(
      Array.from((await applyTransform(image(2, 1, 4, [200, 100, 50, 255, 200, 100, 50, 0]), [toRgb()])).data),
    ).toEqual([200, 100, 50, 0, 0, 0]);
    expect(Array.from((await applyTransform(image(1, 1, 3, [255, 0, 0]), [toGrayscale()])).data)).toEqual([76]);
  });

  it('flips with the seeded per-item decision', async () => {
    const source = image(3, 1, 1, [1, 2, 3]);
    expect(Array.from((await applyTransform(source, [horizontalFlip(1)], { random: () => 0.3 })).data)).toEqual([
      3, 2, 1,
    ]);
    expect(Array.from((await applyTransform(source, [horizontalFlip(0.2)], { random: () => 0.3 })).data)).toEqual([
      1, 2, 3,
    ]);
  });

  it('validates options fail-fast', () => {
    expect(() => pad(0)).toThrow('Expected `width` to be a positive integer, got `0`');
    expect(() => resizeThenCenterCrop(64, 32)).toThrow('Expected `shortestSide` to be >= `size` (64), got `32`');
    expect(() => horizontalFlip(2)).toThrow('Expected `probability` to be in [0, 1], got `2`');
  });
});

describe('squareRegionWithMargin', () => {
  it('grows, squares and keeps the crop inside the image', () => {
    expect(squareRegionWithMargin({ left: 10, top: 10, width: 20, height: 10 }, 0.25, 100, 100)).toEqual({
      left: 5,
      top: 0,
      width: 30,
      height: 30,
    });
    expect(squareRegionWithMargin({ left: 90, top: 90, width: 10, height: 10 }, 0, 100, 100)).toEqual({
      left: 90,
      top: 90,
      width: 10,
      height: 10,
    });
    expect(squareRegionWithMargin({ left: 0, top: 0, width: 80, height: 80 }, 0.5, 100, 60)).toEqual({
      left: 10,
      top: 0,
      width: 60,
      height: 60,
    });
  });
});
