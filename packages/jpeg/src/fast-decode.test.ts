import { describe, expect, it } from 'vitest';

import { createJpegDecoder } from './decoder/jpeg-decoder';
import { createFastDecode, type FastDecodeResult } from './fast-decode';
import { createResampler } from './resample';
import { compareRegion, jpegFixture, jpegManifest, readPngFixture, type RawImage } from './testing/jpeg-fixtures';

const decode = createFastDecode(createJpegDecoder(), createResampler());

function pixels(result: FastDecodeResult): RawImage & { readonly scale: number } {
  if (!result.ok) throw new Error(`declined: ${result.reason}`);
  return result;
}

/** The centre `size` x `size` square, offsets floored (PIL's crop in the fixture script, @dcgan/data's centerCrop). */
function centreCrop(image: RawImage, size: number): RawImage {
  const left = Math.floor((image.width - size) / 2);
  const top = Math.floor((image.height - size) / 2);
  const data = new Uint8Array(size * size * image.channels);
  for (let y = 0; y < size; y += 1) {
    const from = ((top + y) * image.width + left) * image.channels;
    data.set(image.data.subarray(from, from + size * image.channels), y * size * image.channels);
  }
  return { width: size, height: size, channels: image.channels, data };
}

describe('createFastDecode against PIL (draft() + BILINEAR)', () => {
  it.each(Object.entries(jpegManifest.pipeline))(
    '%s: the LSUN recipe (shorter side to the size, centre crop)',
    async (_, entry) => {
      const result = pixels(decode(jpegFixture(entry.jpeg), { fit: 'outside', width: entry.size, height: entry.size }));
      expect(Math.min(result.width, result.height)).toBe(entry.size);
      const reference = await readPngFixture(entry.reference);
      const image = centreCrop(result, entry.size);
      expect([image.width, image.height, image.channels]).toEqual([reference.width, reference.height, 3]);
      const { max, mean } = compareRegion(image, reference);
      expect(max).toBeLessThanOrEqual(4);
      expect(mean).toBeLessThan(0.5);
    },
  );

  it.each(Object.entries(jpegManifest.crops))(
    '%s: a crop region (face box), then resize, as PIL resize(..., box)',
    async (file, entry) => {
      const [left, top, width, height] = entry.box;
      const result = pixels(
        decode(jpegFixture(entry.jpeg), {
          fit: 'fill',
          width: entry.size,
          height: entry.size,
          crop: { left, top, width, height },
        }),
      );
      // Decoded at the DCT scale the fixture's draft() used.
      const header = createJpegDecoder().readHeader(jpegFixture(entry.jpeg));
      if (!header.ok) throw new Error(header.reason);
      expect([Math.ceil((header.width * result.scale) / 8), Math.ceil((header.height * result.scale) / 8)]).toEqual(
        entry.draftSize,
      );
      const reference = await readPngFixture(file);
      expect([result.width, result.height, result.channels]).toEqual([entry.size, entry.size, 3]);
      const { max, mean } = compareRegion(result, reference);
      expect(max).toBeLessThanOrEqual(4);
      expect(mean).toBeLessThan(0.5);
    },
  );

  it('gray JPEGs come out as RGB, each pixel three equal values', () => {
    const result = pixels(decode(jpegFixture('gray.jpg'), { fit: 'fill', width: 20, height: 20 }));
    expect(result.channels).toBe(3);
    for (let index = 0; index < result.data.length; index += 3) {
      expect(result.data[index + 1]).toBe(result.data[index]);
      expect(result.data[index + 2]).toBe(result.data[index]);
    }
  });

  it('passes the decoder’s declines on, and declines a crop outside the image', () => {
    expect(decode(jpegFixture('arithmetic.jpg'), { fit: 'fill', width: 8, height: 8 })).toEqual({
      ok: false,
      reason: 'unsupported frame type 0xc9',
    });
    const crop = { left: 190, top: 0, width: 20, height: 20 }; // baseline-420 is 200 wide
    expect(decode(jpegFixture('baseline-420.jpg'), { fit: 'fill', width: 8, height: 8, crop })).toEqual({
      ok: false,
      reason: 'crop outside the image',
    });
  });
});
