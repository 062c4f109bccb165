import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { compareRegion, jpegFixture, jpegManifest, readPnm } from '../testing/jpeg-fixtures';
import { createJpegDecoder } from './jpeg-decoder';

const decoder = createJpegDecoder();
const decodable = Object.entries(jpegManifest.variants).filter(([, variant]) => variant.decodable);

describe('createJpegDecoder against libjpeg-turbo (djpeg) references', () => {
  it.each(decodable)('%s: every DCT scale matches the reference', (name, variant) => {
    const bytes = jpegFixture(`${name}.jpg`);
    expect(Object.keys(variant.references).length + (variant.declinedScales?.length ?? 0)).toBeGreaterThanOrEqual(3);
    for (const scale of variant.declinedScales ?? []) {
      const result = decoder.decode(
        bytes,
        Math.ceil((variant.width * scale) / 8),
        Math.ceil((variant.height * scale) / 8),
      );
      expect(result, `${name} at ${scale}/8`).toEqual({
        ok: false,
        reason: 'sampling factors of 3 at a reduced scale',
      });
    }
    for (const [scale, file] of Object.entries(variant.references)) {
      const reference = readPnm(file);
      const outputs = Number(scale);
      const result = decoder.decode(
        bytes,
        Math.ceil((variant.width * outputs) / 8),
        Math.ceil((variant.height * outputs) / 8),
      );
      if (!result.ok) throw new Error(`${name} at ${scale}/8 declined: ${result.reason}`);
      const image = result.image;
      expect(image.scale).toBe(outputs);
      expect([image.fullWidth, image.fullHeight, image.channels]).toEqual([
        variant.width,
        variant.height,
        variant.channels,
      ]);
      // libjpeg's output size: ceil(size * scale / 8).
      expect([image.width, image.height]).toEqual([
        Math.ceil((variant.width * outputs) / 8),
        Math.ceil((variant.height * outputs) / 8),
      ]);
      const { max, mean } = compareRegion(image, reference);
      if (file.includes('.box-')) {
        // Box average of the full decode: rounding of the average and of the colour conversion differ.
        expect(max, `${file} max`).toBeLessThanOrEqual(6);
        expect(mean, `${file} mean`).toBeLessThan(0.8);
      } else {
        expect([reference.width, reference.height]).toEqual([image.width, image.height]);
        // djpeg's fixed-point IDCTs and colour conversion against our floating point: off by a few levels at most.
        expect(max, `${file} max`).toBeLessThanOrEqual(3);
        expect(mean, `${file} mean`).toBeLessThan(0.25);
      }
    }
  });

  it('the bounds above catch a real error: a one-pixel shift of the reference fails them', () => {
    const reference = readPnm('baseline-420.scale-1-4.ppm');
    const result = decoder.decode(jpegFixture('baseline-420.jpg'), 50, 34);
    if (!result.ok) throw new Error(result.reason);
    const shifted = {
      ...result.image,
      width: result.image.width - 1,
      data: new Uint8Array(result.image.height * (result.image.width - 1) * 3),
    };
    for (let y = 0; y < result.image.height; y += 1) {
      shifted.data.set(
        result.image.data.subarray((y * result.image.width + 1) * 3, (y + 1) * result.image.width * 3),
        y * shifted.width * 3,
      );
    }
    const { max, mean } = compareRegion(shifted, reference);
    expect(max > 3 || mean >= 0.25).toBe(true);
  });

  it('picks the smallest scale whose output covers the requested size', () => {
    const bytes = jpegFixture('baseline-420.jpg'); // 200x136
    const scaleFor = (width: number, height: number): number => {
      const result = decoder.decode(bytes, width, height);
      if (!result.ok) throw new Error(result.reason);
      return result.image.scale;
    };
    expect(scaleFor(25, 17)).toBe(1);
    expect(scaleFor(26, 17)).toBe(2);
    expect(scaleFor(50, 34)).toBe(2);
    expect(scaleFor(50, 35)).toBe(4);
    expect(scaleFor(100, 68)).toBe(4);
    expect(scaleFor(101, 10)).toBe(8);
    expect(scaleFor(400, 400)).toBe(8);
  });

  it('reads the frame size from the headers', () => {
    expect(decoder.readHeader(jpegFixture('odd-size-420.jpg'))).toEqual({
      ok: true,
      width: 77,
      height: 51,
      components: 3,
    });
    expect(decoder.readHeader(jpegFixture('gray.jpg'))).toEqual({ ok: true, width: 75, height: 53, components: 1 });
    expect(decoder.readHeader(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toMatchObject({
      ok: false,
      reason: /not a JPEG/,
    });
  });
});

describe('createJpegDecoder declines what it does not handle (sharp decodes those)', () => {
  it.each([
    ['arithmetic', /unsupported marker 0xc9/],
    ['rgb', /Adobe|RGB/],
    ['icc-xyz', /embedded ICC profile/],
  ])('%s JPEG', (name, reason) => {
    const result = decoder.decode(jpegFixture(`${name}.jpg`), 8, 8);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) as unknown });
  });

  it('an EXIF rotation or an ICC profile (sharp applies them)', async () => {
    const raw = await sharp(jpegFixture('baseline-444.jpg')).raw().toBuffer({ resolveWithObject: true });
    const input = () => sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 3 } });
    const rotated = new Uint8Array(await input().withMetadata({ orientation: 6 }).jpeg().toBuffer());
    expect(decoder.decode(rotated, 8, 8)).toEqual({ ok: false, reason: 'EXIF orientation' });
    // An EXIF block without a rotation is fine.
    const upright = new Uint8Array(
      await input()
        .withExif({ IFD0: { Copyright: 'DCGAN-TS' } })
        .jpeg()
        .toBuffer(),
    );
    expect((await sharp(upright).metadata()).exif).toBeDefined();
    expect(decoder.decode(upright, 8, 8).ok).toBe(true);
    const profiled = new Uint8Array(await input().withIccProfile('p3').jpeg().toBuffer());
    expect(decoder.decode(profiled, 8, 8)).toEqual({ ok: false, reason: 'embedded ICC profile' });
  });

  it('decodes sRGB-tagged files, which sharp leaves unchanged (the premise is checked with sharp itself)', async () => {
    const raw = await sharp(jpegFixture('baseline-444.jpg')).raw().toBuffer({ resolveWithObject: true });
    // libvips' own sRGB profile (ICC v4, "sRGB"), and lcms's (v2, "sRGB built-in", embedded by cjpeg -icc).
    const tagged = [
      new Uint8Array(
        await sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 3 } })
          .withIccProfile('srgb')
          .jpeg()
          .toBuffer(),
      ),
      jpegFixture('icc-srgb.jpg'),
    ];
    for (const bytes of tagged) {
      expect((await sharp(bytes).metadata()).icc).toBeDefined();
      const withProfile = await sharp(bytes).raw().toBuffer();
      const withoutProfile = await sharp(bytes, { ignoreIcc: true }).raw().toBuffer();
      expect(withProfile.equals(withoutProfile)).toBe(true);
      expect(decoder.decode(bytes, 8, 8).ok).toBe(true);
    }
  });
});

describe('createJpegDecoder on damaged files (fuzz)', () => {
  // Seeded so that a failure repeats.
  let state = 12345;
  const random = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };

  it.each(decodable.map(([name]) => name))('%s: every truncation is declined, never thrown', (name) => {
    const bytes = jpegFixture(`${name}.jpg`);
    for (let trial = 0; trial < 150; trial += 1) {
      const length = Math.floor(random() * (bytes.length - 1));
      const result = decoder.decode(bytes.subarray(0, length), 16, 16);
      expect(result.ok, `${name} cut at ${length}`).toBe(false);
    }
  });

  it.each(decodable.map(([name]) => name))('%s: flipped bytes decode or decline, never throw or hang', (name) => {
    const bytes = jpegFixture(`${name}.jpg`);
    let declined = 0;
    for (let trial = 0; trial < 150; trial += 1) {
      const damaged = bytes.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let flip = 0; flip < flips; flip += 1)
        damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      const result = decoder.decode(damaged, 16, 16);
      if (result.ok)
        expect(result.image.data.length).toBe(result.image.width * result.image.height * result.image.channels);
      else declined += 1;
    }
    expect(declined).toBeGreaterThan(0);
  });

  it('a damaged frame size is declined quickly, not decoded as millions of empty blocks', () => {
    const bytes = jpegFixture('baseline-444.jpg');
    const sof = bytes.findIndex((value, index) => value === 0xff && bytes[index + 1] === 0xc0);
    expect(sof).toBeGreaterThan(0);
    const huge = bytes.slice();
    huge[sof + 5] = 0x3f; // height 0x3fxx
    huge[sof + 7] = 0x3f; // width 0x3fxx
    expect(decoder.decode(huge, 64, 64)).toEqual({ ok: false, reason: 'data ends early' });
    const enormous = bytes.slice();
    enormous.fill(0xff, sof + 5, sof + 9);
    expect(decoder.decode(enormous, 64, 64)).toEqual({ ok: false, reason: 'image larger than 268 megapixels' });
  });

  it('random bytes after a SOI marker are declined', () => {
    for (let trial = 0; trial < 200; trial += 1) {
      const bytes = new Uint8Array(2 + Math.floor(random() * 2000));
      for (let index = 0; index < bytes.length; index += 1) bytes[index] = Math.floor(random() * 256);
      bytes[0] = 0xff;
      bytes[1] = 0xd8;
      expect(decoder.decode(bytes, 8, 8).ok).toBe(false);
    }
  });
});
