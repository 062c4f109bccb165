import { describe, expect, it } from 'vitest';

import { findDuplicateGroups } from '../group/find-duplicate-groups';
import { mnistSamples, paddedRgb } from '../test-support/mnist-samples';
import { plantNearDuplicates } from './plant-near-duplicates';
import { scoreDuplicatePairs } from './score-duplicate-pairs';

function meanAbsoluteDifference(left: Uint8Array, right: Uint8Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index += 1) sum += Math.abs(left[index]! - right[index]!);
  return sum / left.length;
}

describe('plantNearDuplicates', () => {
  it('plants the asked share of each kind, records where every copy landed, and makes what it says', async () => {
    const originals = await mnistSamples(10, paddedRgb); // 100 digits, 32x32x3
    const { samples, planted } = await plantNearDuplicates(originals, { fraction: 0.2, seed: 3 });
    expect(samples).toHaveLength(120);
    expect(planted).toHaveLength(20);
    const counts = Object.fromEntries(
      ['jpeg', 'shift', 'brightness', 'exact'].map((kind) => [
        kind,
        planted.filter((pair) => pair.kind === kind).length,
      ]),
    );
    expect(counts).toEqual({ jpeg: 8, shift: 5, brightness: 5, exact: 2 });
    expect(new Set(planted.map((pair) => pair.original)).size).toBe(20);
    for (const pair of planted) {
      const original = samples[pair.original]!;
      const copy = samples[pair.copy]!;
      expect(copy.key).toBe(`${original.key}~${pair.kind}`);
      expect([copy.image.width, copy.image.height, copy.image.channels]).toEqual([32, 32, 3]);
      const difference = meanAbsoluteDifference(original.image.data, copy.image.data);
      if (pair.kind === 'exact') expect(difference).toBe(0);
      else expect(difference).toBeGreaterThan(0);
      if (pair.kind === 'jpeg') expect(pair.detail).toMatch(/^quality (5\d|[6-8]\d|9[0-5])$/);
      if (pair.kind === 'shift') {
        const [, dx, dy] = /dx (-?\d) dy (-?\d)/.exec(pair.detail)!.map(Number);
        expect(Math.max(Math.abs(dx!), Math.abs(dy!))).toBeGreaterThanOrEqual(1);
        expect(Math.max(Math.abs(dx!), Math.abs(dy!))).toBeLessThanOrEqual(2);
      }
      if (pair.kind === 'brightness') {
        const gain = Number(pair.detail.slice(5));
        expect(Math.abs(gain - 1)).toBeGreaterThanOrEqual(0.05);
        expect(Math.abs(gain - 1)).toBeLessThanOrEqual(0.2);
      }
    }
    // Seeded: the same set again.
    const again = await plantNearDuplicates(originals, { fraction: 0.2, seed: 3 });
    expect(again.planted).toEqual(planted);
  });
});

describe('scoreDuplicatePairs', () => {
  it('counts every within-group pair, strictly, against the planted pairs', () => {
    // Items 0..7. Planted: (0, 4) jpeg, (1, 5) shift, (2, 6) exact. Codes put {0, 4, 3} and {2, 6} together.
    const codes = new Uint8Array([1, 2, 3, 1, 1, 9, 3, 7]);
    const groups = findDuplicateGroups({ codes, codeBits: 8, count: 8 });
    const planted = [
      { original: 0, copy: 4, kind: 'jpeg' as const, detail: '' },
      { original: 1, copy: 5, kind: 'shift' as const, detail: '' },
      { original: 2, copy: 6, kind: 'exact' as const, detail: '' },
    ];
    const itemOf = Int32Array.from({ length: 8 }, (_, index) => index);
    const score = scoreDuplicatePairs(groups, itemOf, planted);
    expect(score.reportedPairs).toBe(3 + 1);
    expect(score.truePositives).toBe(2);
    expect(score.falsePositives).toBe(2);
    expect(score.precision).toBe(0.5);
    expect(score.recall).toBeCloseTo(2 / 3);
    expect(score.recallByKind).toEqual({ jpeg: 1, shift: 0, brightness: Number.NaN, exact: 1 });
    expect(score.falsePairs).toEqual([
      [0, 3],
      [3, 4],
    ]);
    expect(score.missed).toEqual([1]);
  });
});
