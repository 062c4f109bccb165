// applyTransform's JPEG fast path: the decoding itself (and its checks against libjpeg-turbo and PIL) is tested in
// @dcgan/jpeg; here, that transforms use it, hand what it declines to sharp, and keep sharp's errors.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as jpeg from '@dcgan/jpeg';
import { runNode } from '@dcgan/vitest-config/node-child';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';

import type { RawImage } from '../image/raw-image';
import { configureJpegDecoding, createJpegDecoder, createResampler, jpegDecodingStats } from '../index';
import { fixture } from '../testing/fixtures';
import { applyTransform } from './apply-transform';
import { centerCropRaw } from './raw-operations';
import { resize, resizeThenCenterCrop } from './transform-step';

afterAll(async () => {
  await configureJpegDecoding({ fastPath: true });
});

// 40 x 56, written by Pillow (scripts/make-fixtures.py).
const photo = fixture('images', 'cat', 'b.jpg');
const fastDecode = jpeg.createFastDecode(jpeg.createJpegDecoder(), jpeg.createResampler());

function meanDifference(left: RawImage, right: RawImage): number {
  expect([left.width, left.height, left.channels]).toEqual([right.width, right.height, right.channels]);
  let sum = 0;
  for (let index = 0; index < left.data.length; index += 1) sum += Math.abs(left.data[index]! - right.data[index]!);
  return sum / left.data.length;
}

async function withFastPathOff<T>(run: () => Promise<T>): Promise<T> {
  await configureJpegDecoding({ fastPath: false });
  try {
    return await run();
  } finally {
    await configureJpegDecoding({ fastPath: true });
  }
}

describe('the JPEG fast path in applyTransform', () => {
  it('re-exports @dcgan/jpeg’s functions, so there is one shared pool', () => {
    expect(configureJpegDecoding).toBe(jpeg.configureJpegDecoding);
    expect(jpegDecodingStats).toBe(jpeg.jpegDecodingStats);
    expect(createJpegDecoder).toBe(jpeg.createJpegDecoder);
    expect(createResampler).toBe(jpeg.createResampler);
  });

  it('resizeThenCenterCrop: the workers’ decode and resize, then the centre crop', async () => {
    const before = jpegDecodingStats().decoded;
    // A Node Buffer from a file read: the pool sends a copy and leaves the caller's bytes intact.
    const encoded = readFileSync(photo);
    const length = encoded.length;
    const image = await applyTransform({ encoded }, resizeThenCenterCrop(16));
    expect(jpegDecodingStats().decoded).toBe(before + 1);
    expect(encoded.length).toBe(length);
    const decoded = fastDecode(new Uint8Array(encoded), { fit: 'outside', width: 16, height: 16 });
    if (!decoded.ok) throw new Error(decoded.reason);
    const expected = centerCropRaw(decoded, 16, 16);
    expect([image.width, image.height, image.channels]).toEqual([16, 16, 3]);
    expect(Buffer.from(image.data).equals(Buffer.from(expected.data))).toBe(true);
    // sharp's Lanczos on a full decode gives the same picture up to the filters.
    const viaSharp = await withFastPathOff(() => applyTransform({ encoded }, resizeThenCenterCrop(16)));
    expect(meanDifference(image, viaSharp)).toBeLessThan(4);
  });

  it('a crop region (face box) is placed on the main thread and cut by the worker', async () => {
    const encoded = new Uint8Array(readFileSync(photo));
    const box = { left: 5, top: 9, width: 30, height: 33 };
    const before = jpegDecodingStats().decoded;
    const image = await applyTransform({ encoded, region: { kind: 'exact', box } }, [resize(12)]);
    expect(jpegDecodingStats().decoded).toBe(before + 1);
    const expected = fastDecode(encoded, { fit: 'fill', width: 12, height: 12, crop: box });
    if (!expected.ok) throw new Error(expected.reason);
    expect(Buffer.from(image.data).equals(Buffer.from(expected.data))).toBe(true);
    const viaSharp = await withFastPathOff(() =>
      applyTransform({ encoded, region: { kind: 'exact', box } }, [resize(12)]),
    );
    expect(meanDifference(image, viaSharp)).toBeLessThan(6);
  });

  it('with the fast path off, no image reaches the workers; turned on again, the next one does', async () => {
    await withFastPathOff(async () => {
      const image = await applyTransform({ encoded: readFileSync(photo) }, resizeThenCenterCrop(16));
      expect([image.width, image.height, image.channels]).toEqual([16, 16, 3]);
      expect(jpegDecodingStats()).toEqual({ decoded: 0, declined: {} });
    });
    await applyTransform({ encoded: readFileSync(photo) }, resizeThenCenterCrop(16));
    expect(jpegDecodingStats()).toEqual({ decoded: 1, declined: {} });
  });

  it('hands what it declines to sharp: an EXIF-rotated JPEG decodes exactly as with the fast path off', async () => {
    const raw = await sharp(photo).raw().toBuffer({ resolveWithObject: true });
    const encoded = new Uint8Array(
      await sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 3 } })
        .withMetadata({ orientation: 6 })
        .jpeg()
        .toBuffer(),
    );
    const declinedBefore = jpegDecodingStats().declined['EXIF orientation'] ?? 0;
    const viaFallback = await applyTransform({ encoded }, resizeThenCenterCrop(16));
    expect(jpegDecodingStats().declined['EXIF orientation']).toBe(declinedBefore + 1);
    const viaSharp = await withFastPathOff(() => applyTransform({ encoded }, resizeThenCenterCrop(16)));
    expect(Buffer.from(viaFallback.data).equals(Buffer.from(viaSharp.data))).toBe(true);
  });

  it('a truncated JPEG is still rejected with sharp’s error (the fast path never decides an image is bad)', async () => {
    const bytes = new Uint8Array(readFileSync(photo));
    await expect(
      applyTransform({ encoded: bytes.subarray(0, Math.floor(bytes.length / 2)) }, resizeThenCenterCrop(16)),
    ).rejects.toMatchObject({
      name: 'DataError',
      message: expect.stringMatching(/cannot decode image/) as unknown,
    });
  });

  it('rejects a bad worker count', async () => {
    await expect(configureJpegDecoding({ workers: 0 })).rejects.toThrow(/positive integer/);
  });
});

describe('the built package (ES module and CommonJS): JPEGs decode on the workers, and an idle pool lets the process exit', () => {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
  const body = `// A Node Buffer (a view into a pooled ArrayBuffer): the pool must copy it, not detach it.
const image = await data.applyTransform({ encoded: readFileSync(${JSON.stringify(photo)}) }, data.resizeThenCenterCrop(16));
console.log(JSON.stringify({ shape: [image.width, image.height, image.channels], decoded: data.jpegDecodingStats().decoded }));`;
  it.runIf(existsSync(join(dist, 'index.js')) && existsSync(join(dist, 'index.cjs'))).each([
    [
      'esm',
      [
        '--input-type=module',
        '-e',
        `import { readFileSync } from 'node:fs';\nconst data = await import(${JSON.stringify(join(dist, 'index.js'))});\n${body}`,
      ],
    ],
    [
      'cjs',
      [
        '-e',
        `const { readFileSync } = require('node:fs');\nconst data = require(${JSON.stringify(join(dist, 'index.cjs'))});\n(async () => {\n${body}\n})();`,
      ],
    ],
  ])('%s', async (_, nodeArguments) => {
    const { code, stdout, stderr } = await runNode(nodeArguments);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ shape: [16, 16, 3], decoded: 1 });
  });
});
