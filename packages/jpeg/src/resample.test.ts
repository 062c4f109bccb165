import { describe, expect, it } from 'vitest';

import { compareRegion, jpegManifest, readPngFixture } from './testing/jpeg-fixtures';
import { createResampler } from './resample';

describe('createResampler against Pillow BILINEAR', () => {
  const resample = createResampler();

  it.each(Object.entries(jpegManifest.resample))('%s', async (size, file) => {
    const source = await readPngFixture('resample-source.png');
    const reference = await readPngFixture(file);
    const [width, height] = size.split('x').map(Number) as [number, number];
    const data = resample(source.data, source.width, source.height, 3, width, height);
    expect(data.length).toBe(width * height * 3);
    const { max, mean } = compareRegion({ width, height, channels: 3, data }, reference);
    // Pillow rounds its fixed-point weights; we use floats.
    expect(max).toBeLessThanOrEqual(1);
    expect(mean).toBeLessThan(0.2);
  });

  it.each(Object.entries(jpegManifest.resampleBoxes))(
    '%s: a fractional box, as Pillow resize(..., box)',
    async (file, entry) => {
      const source = await readPngFixture('resample-source.png');
      const reference = await readPngFixture(file);
      const [left, top, right, bottom] = entry.box;
      const data = resample(source.data, source.width, source.height, 3, entry.width, entry.height, {
        left,
        top,
        width: right - left,
        height: bottom - top,
      });
      const { max, mean } = compareRegion({ width: entry.width, height: entry.height, channels: 3, data }, reference);
      // Pillow also rounds to bytes between its two passes.
      expect(max).toBeLessThanOrEqual(1);
      expect(mean).toBeLessThan(0.3);
    },
  );

  it('returns the input unchanged when the size does not change', () => {
    const data = Uint8Array.from([1, 2, 3, 4]);
    expect(resample(data, 2, 2, 1, 2, 2)).toBe(data);
  });
});
