import { readFileSync } from 'node:fs';

import { pad, type RawImage, toGrayscale } from '@dcgan/data';
import { describe, expect, it } from 'vitest';

import { shiftImage } from '../hash/shift-probes';
import { mnistSamples } from '../test-support/mnist-samples';
import { groupMembers } from './duplicate-groups';
import { findDuplicateGroups } from './find-duplicate-groups';
import {
  defaultThumbnailSize,
  makeThumbnail,
  resolveVerification,
  thumbnailBackground,
  thumbnailDistance,
  type Thumbnails,
} from './thumbnails';

/** A smooth 32x32 gray test image: a diagonal gradient plus a bright square at (x0, y0). */
function picture(x0: number, y0: number, gain = 1): RawImage {
  const data = new Uint8Array(32 * 32);
  for (let y = 0; y < 32; y += 1) {
    for (let x = 0; x < 32; x += 1) {
      const inside = x >= x0 && x < x0 + 10 && y >= y0 && y < y0 + 10;
      data[y * 32 + x] = Math.min(255, Math.round(gain * ((x + y) * 2 + (inside ? 120 : 20))));
    }
  }
  return { width: 32, height: 32, channels: 1, data };
}

function thumbnailsOf(images: RawImage[], size = 16): Thumbnails {
  const data = new Uint8Array(images.length * size * size);
  images.forEach((image, index) => data.set(makeThumbnail(image, size, 1), index * size * size));
  return { data, size, channels: 1 };
}

/** Pearson correlation of two equal-length vectors, written out plainly (the reference for the zero shift). */
function pearson(left: ArrayLike<number>, right: ArrayLike<number>): number {
  const n = left.length;
  const meanLeft = Array.from(left).reduce((sum, value) => sum + value, 0) / n;
  const meanRight = Array.from(right).reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let varianceLeft = 0;
  let varianceRight = 0;
  for (let index = 0; index < n; index += 1) {
    covariance += (left[index]! - meanLeft) * (right[index]! - meanRight);
    varianceLeft += (left[index]! - meanLeft) ** 2;
    varianceRight += (right[index]! - meanRight) ** 2;
  }
  return covariance / Math.sqrt(varianceLeft * varianceRight);
}

describe('findDuplicateGroups: no chaining', () => {
  it('keeps A ~ B and B ~ C apart from C when A !~ C (codes within radius 1)', () => {
    // A = 0b0000, B = 0b0001 (1 bit from A), C = 0b0011 (1 bit from B, 2 from A); D far from all.
    const codes = new Uint8Array([0b0000_0000, 0, 0b0000_0001, 0, 0b0000_0011, 0, 0b1111_0000, 0xff]);
    const groups = findDuplicateGroups({ codes, codeBits: 16, count: 4 }, { radius: 1 });
    expect(groups.groupCount).toBe(1);
    expect(Array.from(groupMembers(groups, 0))).toEqual([0, 1]);
    expect(groups.stats.verification).toBeNull();
    expect(groups.stats.groupedPairs).toBe(1);
  });

  it('with C first in the data, C keeps B and A stays alone', () => {
    const codes = new Uint8Array([0b0000_0011, 0, 0b0000_0001, 0, 0b0000_0000, 0]);
    const groups = findDuplicateGroups({ codes, codeBits: 16, count: 3 }, { radius: 1 });
    expect(Array.from(groupMembers(groups, 0))).toEqual([0, 1]);
    expect(groups.groupCount).toBe(1);
  });

  it('makes no chain through thumbnails either: equal codes, A ~ B and B ~ C on the thumbnails, A !~ C', () => {
    // B is A with its square moved by 2 pixels, C moved by 2 more: each neighbour is closer than the two ends.
    const images = [picture(4, 4), picture(6, 4), picture(8, 4), picture(20, 20)];
    const thumbnails = thumbnailsOf(images);
    const still = resolveVerification({ maximumShift: 0 });
    const distance = (first: number, second: number) => thumbnailDistance(thumbnails, first, second, still);
    const near = Math.max(distance(0, 1), distance(1, 2));
    expect(near).toBeLessThan(distance(0, 2));
    const maximumDistance = (near + distance(0, 2)) / 2;
    expect(distance(0, 3)).toBeGreaterThan(maximumDistance);
    expect(distance(2, 3)).toBeGreaterThan(maximumDistance);
    const codes = new Uint8Array(4); // every code equal: all six pairs are candidates
    const groups = findDuplicateGroups(
      { codes, codeBits: 8, count: 4, thumbnails },
      { verification: { maximumDistance, maximumShift: 0 } },
    );
    expect(groups.groupCount).toBe(1);
    expect(Array.from(groupMembers(groups, 0))).toEqual([0, 1]);
    const verification = groups.stats.verification!;
    expect(verification).toMatchObject({ measure: 'thumbnail-correlation', thumbnailSize: 16, maximumDistance });
    // Kept item 0 checks 1, 2, 3; kept item 2 checks 3.
    expect(verification.checkedPairs).toBe(4);
    expect(verification.acceptedPairs).toBe(groups.stats.groupedPairs);
  });
});

describe('findDuplicateGroups: oversized buckets', () => {
  it('leaves a bucket of more than maximumBucketSize equal codes ungrouped and counts it', () => {
    // 40 items on one code (a hasher that tells nothing apart) and a pair on another.
    const codes = new Uint8Array(42).fill(7);
    codes[40] = 9;
    codes[41] = 9;
    const groups = findDuplicateGroups({ codes, codeBits: 8, count: 42 });
    expect(groups.groupCount).toBe(1);
    expect(Array.from(groupMembers(groups, 0))).toEqual([40, 41]);
    expect(groups.stats).toMatchObject({ oversizedBuckets: 1, itemsInOversizedBuckets: 40 });
    const allowed = findDuplicateGroups({ codes, codeBits: 8, count: 42 }, { maximumBucketSize: 40 });
    expect(allowed.groupCount).toBe(2);
    expect(allowed.stats.oversizedBuckets).toBe(0);
  });

  it('at radius > 0 groups exact code copies whose every part bucket is oversized (a whole-code pass)', () => {
    // 16-bit codes at radius 1 are cut into two byte parts. 68 items: byte 0 is 1 for items 0-33 and 2 for 34-67;
    // byte 1 is 3 for items 0-16 and 34-50, 4 for the others. Every part bucket holds 34 items (over the limit of 32),
    // but each of the four whole codes is shared by 17 items: four groups of exact code copies.
    const count = 68;
    const codes = new Uint8Array(2 * count);
    for (let item = 0; item < count; item += 1) {
      codes[2 * item] = item < 34 ? 1 : 2;
      codes[2 * item + 1] = item % 34 < 17 ? 3 : 4;
    }
    const groups = findDuplicateGroups({ codes, codeBits: 16, count }, { radius: 1 });
    expect(groups.stats).toMatchObject({ oversizedBuckets: 4, itemsInOversizedBuckets: 136, matchedPairs: 4 * 136 });
    expect(groups.groupCount).toBe(4);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
    expect(Array.from({ length: 4 }, (_, group) => Array.from(groupMembers(groups, group)))).toEqual([
      range(0, 17),
      range(17, 34),
      range(34, 51),
      range(51, 68),
    ]);
  });

  it('compares a pair in a later part when the part they agree on earlier was oversized', () => {
    // Byte 0 is 5 for all 40 items (one oversized bucket); byte 1 is 6 for items 0-37 (oversized too) and 7 for items
    // 38 and 39. The pair (38, 39) agrees on byte 0, where it was not compared, so byte 1 must compare it.
    const count = 40;
    const codes = new Uint8Array(2 * count);
    for (let item = 0; item < count; item += 1) {
      codes[2 * item] = 5;
      codes[2 * item + 1] = item >= 38 ? 7 : 6;
    }
    const groups = findDuplicateGroups({ codes, codeBits: 16, count }, { radius: 1 });
    expect(groups.groupCount).toBe(1);
    expect(Array.from(groupMembers(groups, 0))).toEqual([38, 39]);
    expect(groups.stats.matchedPairs).toBe(1);
  });
});

describe('thumbnails', () => {
  it('area-averages 2x2 blocks for 32 -> 16 (checked against a plain block mean)', () => {
    const image = picture(5, 9);
    const thumbnail = makeThumbnail(image, 16, 1);
    for (let y = 0; y < 16; y += 1) {
      for (let x = 0; x < 16; x += 1) {
        const at = (yy: number, xx: number) => image.data[yy * 32 + xx]!;
        const mean = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
        expect(thumbnail[y * 16 + x]).toBe(Math.round(mean));
      }
    }
  });

  it('makes gray from RGB with the Rec. 601 luma weights and repeats gray into RGB', () => {
    const rgb: RawImage = { width: 1, height: 1, channels: 3, data: new Uint8Array([200, 100, 50]) };
    expect(Array.from(makeThumbnail(rgb, 1, 1))).toEqual([Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)]);
    expect(
      Array.from(makeThumbnail({ width: 1, height: 1, channels: 1, data: new Uint8Array([77]) } as RawImage, 1, 3)),
    ).toEqual([77, 77, 77]);
  });

  it('measures 1 - Pearson correlation at zero shift, ignores a brightness gain, and refuses a large brightness change', () => {
    const images = [picture(4, 4), picture(20, 8), picture(4, 4, 0.85), picture(4, 4, 0.4)];
    const thumbnails = thumbnailsOf(images);
    const options = resolveVerification({ maximumShift: 0 });
    const reference = 1 - pearson(thumbnails.data.subarray(0, 256), thumbnails.data.subarray(256, 512));
    expect(thumbnailDistance(thumbnails, 0, 1, options)).toBeCloseTo(reference, 10);
    expect(thumbnailDistance(thumbnails, 0, 2, options)).toBeLessThan(0.001);
    expect(thumbnailDistance(thumbnails, 0, 3, options)).toBe(Number.POSITIVE_INFINITY);
  });

  it('finds a copy moved by 2 input pixels (1 thumbnail pixel) and by 1 input pixel (half a thumbnail pixel)', () => {
    const shifted = (image: RawImage, dx: number) => {
      const data = new Uint8Array(32 * 32);
      for (let y = 0; y < 32; y += 1)
        for (let x = 0; x < 32; x += 1)
          data[y * 32 + x] = x - dx >= 0 && x - dx < 32 ? image.data[y * 32 + x - dx]! : 0;
      return { ...image, data };
    };
    const original = picture(8, 8);
    const thumbnails = thumbnailsOf([original, shifted(original, 2), shifted(original, 1)]);
    const still = resolveVerification({ maximumShift: 0 });
    const moving = resolveVerification({ maximumShift: 2 });
    expect(thumbnailDistance(thumbnails, 0, 1, moving)).toBeLessThan(thumbnailDistance(thumbnails, 0, 1, still) / 4);
    expect(thumbnailDistance(thumbnails, 0, 1, moving)).toBeLessThan(0.01);
    expect(thumbnailDistance(thumbnails, 0, 2, moving)).toBeLessThan(0.01);
  });
});

describe('verification without the shared background', () => {
  // Made by scripts/make-verification-fixture.py with Debian's numpy: thumbnails and 1 - numpy.corrcoef over the pixels
  // that are not background in both (zero shift), and over every pixel.
  const fixture = JSON.parse(
    readFileSync(new URL('../../test/fixtures/verification.json', import.meta.url), 'utf8'),
  ) as {
    size: number;
    channels: number;
    tolerance: number;
    thumbnails: number[][];
    cases: { first: number; second: number; distance: number; pixels: number; wholeDistance: number }[];
  };
  const thumbnails: Thumbnails = {
    data: Uint8Array.from(fixture.thumbnails.flat()),
    size: fixture.size,
    channels: fixture.channels,
  };

  it.each(fixture.cases.map((entry) => [entry.first, entry.second, entry] as const))(
    "gives numpy's distance for thumbnails %i and %i",
    (first, second, entry) => {
      const masked = resolveVerification({ maximumShift: 0, backgroundTolerance: fixture.tolerance });
      const whole = resolveVerification({ maximumShift: 0, backgroundTolerance: 0 });
      expect(thumbnailDistance(thumbnails, first, second, masked)).toBeCloseTo(entry.distance, 9);
      expect(thumbnailDistance(thumbnails, first, second, whole)).toBeCloseTo(entry.wholeDistance, 9);
    },
  );

  it('tells two different icons on white apart that the whole-thumbnail correlation passes, and keeps a noisy copy', () => {
    const masked = resolveVerification({ maximumShift: 0, backgroundTolerance: fixture.tolerance });
    const whole = resolveVerification({ maximumShift: 0, backgroundTolerance: 0 });
    // Icons 0 and 1 share the disc on white and differ in the glyph; 2 is icon 0 with noise.
    expect(thumbnailDistance(thumbnails, 0, 1, whole)).toBeLessThan(0.1);
    expect(thumbnailDistance(thumbnails, 0, 1, masked)).toBeGreaterThan(
      2.5 * thumbnailDistance(thumbnails, 0, 1, whole),
    );
    expect(thumbnailDistance(thumbnails, 0, 2, masked)).toBeLessThan(0.01);
  });

  it('finds a flat border as the background, and none in a photo', () => {
    expect(Array.from(thumbnailBackground(thumbnails, 0, 12)!)).toEqual([255, 255, 255]);
    expect(thumbnailBackground(thumbnails, 3, 12)).toBeUndefined();
    expect(thumbnailBackground(thumbnails, 0, 0)).toBeUndefined();
    expect(() => resolveVerification({ backgroundTolerance: -1 })).toThrow(
      'Expected `backgroundTolerance` to be a number in [0, 255], got `-1`',
    );
  });
});

describe('verification at the hasher input size (the default thumbnails)', () => {
  it('accepts 1-pixel shifts of real MNIST digits that 16x16 thumbnails (half a pixel per shift) rejected', async () => {
    const digits = (await mnistSamples(2, [pad(32), toGrayscale()])).map((sample) => sample.image);
    const images = digits.flatMap((digit, index) => [
      digit,
      shiftImage(digit, index % 2 === 0 ? 1 : -1, index % 3 === 0 ? 1 : 0),
    ]);
    const pairs = digits.map((_, index) => [2 * index, 2 * index + 1] as const);
    const verification = resolveVerification();
    expect(defaultThumbnailSize).toBe(32);
    const atInputSize = { ...thumbnailsOf(images, 32), scale: 1 };
    const halfSize = { ...thumbnailsOf(images, 16), scale: 0.5 };
    const distancesAt = (thumbnails: Thumbnails, options = verification) =>
      pairs.map(([first, second]) => thumbnailDistance(thumbnails, first, second, options));
    // At the input size every shift is a whole thumbnail pixel: each copy lines up exactly with its digit.
    for (const distance of distancesAt(atInputSize)) expect(distance).toBeLessThanOrEqual(verification.maximumDistance);
    // On 16x16 thumbnails some of the same copies fail even the looser threshold of 0.3 (0.04).
    const rejected = distancesAt(halfSize, resolveVerification({ maximumDistance: 0.04 })).filter((d) => d > 0.04);
    expect(rejected.length).toBeGreaterThan(0);
  });
});
