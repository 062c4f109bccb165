import { describe, expect, it } from 'vitest';

import { shiftImage, shiftOffsets } from './shift-probes';

describe('shiftImage', () => {
  it('moves pixels right/down by dx/dy and fills with zeros', () => {
    // 3x2 image, 2 channels: values encode (x, y, channel).
    const data = Uint8Array.from({ length: 12 }, (_, index) => index + 1);
    const image = { width: 3, height: 2, channels: 2 as const, data };
    expect(Array.from(shiftImage(image, 1, 0).data)).toEqual([0, 0, 1, 2, 3, 4, 0, 0, 7, 8, 9, 10]);
    expect(Array.from(shiftImage(image, -1, 1).data)).toEqual([0, 0, 0, 0, 0, 0, 3, 4, 5, 6, 0, 0]);
    expect(Array.from(shiftImage(image, 3, 0).data)).toEqual(new Array(12).fill(0));
  });

  it('lists (2s + 1)^2 - 1 offsets without (0, 0)', () => {
    expect(shiftOffsets(1)).toHaveLength(8);
    expect(shiftOffsets(2)).toHaveLength(24);
    expect(shiftOffsets(2).some(([dx, dy]) => dx === 0 && dy === 0)).toBe(false);
    expect(() => shiftOffsets(-1)).toThrow('Expected `shiftProbes` to be an integer in 0..8, got `-1`');
  });
});
