import { pad, type RawImage, toGrayscale } from '@dcgan/data';
import { describe, expect, it } from 'vitest';

import { createDifferenceHasher } from '../hash/difference-hasher';
import { reencodeJpeg } from '../image/jpeg-round-trip';
import { bruteForceGroupLeaders } from '../test-support/brute-force-groups';
import { mnistSamples } from '../test-support/mnist-samples';
import { DedupError } from '../errors/dedup-error';
import { findDuplicateGroups } from './find-duplicate-groups';
import { makeThumbnail, type Thumbnails } from './thumbnails';

/** 32x32 gray thumbnails of the images, item after item. */
function thumbnailsOf(images: readonly RawImage[]): Thumbnails {
  const data = new Uint8Array(images.length * 1024);
  images.forEach((image, index) => data.set(makeThumbnail(image, 32, 1), index * 1024));
  return { data, size: 32, channels: 1, scale: 1 };
}

/** Random 128-bit codes (a fixed linear congruential stream): any two lie far more than 3 bits apart (checked). */
function farApartCodes(count: number): Uint8Array {
  const codes = new Uint8Array(count * 16);
  let state = 0x9e3779b9;
  for (let index = 0; index < codes.length; index += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    codes[index] = state >>> 24;
  }
  return codes;
}

/** Leader of each item's group, from the groups `findDuplicateGroups` returned. */
function leadersOf(groups: ReturnType<typeof findDuplicateGroups>, count: number): Int32Array {
  const leader = Int32Array.from({ length: count }, (_, item) => item);
  for (let group = 0; group < groups.groupCount; group += 1) {
    const members = groups.members.subarray(groups.groupStarts[group], groups.groupStarts[group + 1]);
    for (const member of members) leader[member] = members[0]!;
  }
  return leader;
}

describe('findDuplicateGroups: candidates from the thumbnails’ dHash', () => {
  it('proposes exactly the pairs whose dHash codes lie within the radius (against a bit-by-bit reference)', async () => {
    // Real digits, and JPEG and brightness variants of some, so that near dHash codes occur; the semantic codes are
    // far apart, so every group here comes from the thumbnails' dHash. Verification accepts every pair, so the groups
    // are the candidate pairs' star groups.
    const digits = (await mnistSamples(4, [pad(32), toGrayscale()])).map((sample) => sample.image);
    const images: RawImage[] = [...digits];
    for (const [index, digit] of digits.slice(0, 12).entries())
      images.push(index % 2 === 0 ? await reencodeJpeg(digit, 40 + 4 * index) : brighter(digit, 1.1));
    const thumbnails = thumbnailsOf(images);
    const dHash = await createDifferenceHasher().hashImages(
      images.map((_, index) => ({
        width: 32,
        height: 32,
        channels: 1,
        data: thumbnails.data.subarray(index * 1024, (index + 1) * 1024),
      })),
    );
    const input = { codes: farApartCodes(images.length), codeBits: 128, count: images.length, thumbnails };
    expect(findDuplicateGroups({ ...input, thumbnails: undefined }, { radius: 3 }).stats.matchedPairs).toBe(0);
    const acceptAll = { maximumDistance: 2, maximumMeanChange: 1, backgroundTolerance: 0 };
    for (const radius of [0, 1, 2, 3]) {
      const groups = findDuplicateGroups(input, {
        thumbnailHashRadius: radius,
        verification: acceptAll,
        maximumBucketSize: 1_000,
      });
      const reference = bruteForceGroupLeaders({ codes: dHash, codeBits: 64, count: images.length }, radius);
      expect(Array.from(leadersOf(groups, images.length)), `radius ${radius}`).toEqual(Array.from(reference));
      expect(groups.stats.thumbnailHashRadius).toBe(radius);
    }
    const off = findDuplicateGroups(input, { verification: acceptAll, maximumBucketSize: 1_000 });
    expect(off.groupCount).toBe(0);
    expect(off.stats.thumbnailHashRadius).toBe(-1);
  });

  it('finds a JPEG copy whose semantic code moved away, and still verifies it (a different digit stays out)', async () => {
    // The third digit of `mnistSamples(1)` and its JPEG q50 re-encoding (dHash 2 bits apart, measured), and the
    // eighth digit beside them.
    const digits = (await mnistSamples(1, [pad(32), toGrayscale()])).map((sample) => sample.image);
    const [one, other] = [digits[2], digits[7]];
    const images = [one!, await reencodeJpeg(one!, 50), other!];
    const input = { codes: farApartCodes(3), codeBits: 128, count: 3, thumbnails: thumbnailsOf(images) };
    const verification = { maximumDistance: 0.08 };
    expect(findDuplicateGroups(input, { radius: 3, verification }).groupCount).toBe(0);
    const groups = findDuplicateGroups(input, { radius: 3, verification, thumbnailHashRadius: 2 });
    expect(groups.groupCount).toBe(1);
    expect(Array.from(groups.members)).toEqual([0, 1]);
    expect(groups.stats.thumbnailHashPairs).toBeGreaterThanOrEqual(1);
    // With every pair proposed but a strict check, the JPEG pair is proposed and refused: verification still decides.
    const strict = findDuplicateGroups(input, {
      verification: { maximumDistance: 0 },
      thumbnailHashRadius: 7,
      maximumBucketSize: 1_000,
    });
    expect(strict.groupCount).toBe(0);
    expect(strict.stats.verification?.checkedPairs).toBeGreaterThanOrEqual(1);
  });

  it('refuses a radius outside -1..7', () => {
    const input = { codes: farApartCodes(2), codeBits: 128, count: 2 };
    for (const bad of [-2, 8, 1.5])
      expect(() => findDuplicateGroups(input, { thumbnailHashRadius: bad })).toThrow(DedupError);
  });
});

function brighter(image: RawImage, gain: number): RawImage {
  return { ...image, data: Uint8Array.from(image.data, (value) => Math.min(255, Math.round(value * gain))) };
}
