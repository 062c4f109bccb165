import { describe, expect, it } from 'vitest';

import { DedupError } from '../errors/dedup-error';
import { bruteForceGroupLeaders } from '../test-support/brute-force-groups';
import { plantedRandomCodes } from '../test-support/random-codes';
import { codeBytesOf } from './binary-code';
import { countGroupPairs, groupIndexOfItems, groupMembers, type DuplicateGroups } from './duplicate-groups';
import { findDuplicateGroups } from './find-duplicate-groups';

/** Each item's group as its smallest member (itself when alone), the same canonical form as the reference. */
function leadersOf(groups: DuplicateGroups): Int32Array {
  const groupOf = groupIndexOfItems(groups);
  return Int32Array.from(groupOf, (group, item) => (group === -1 ? item : groupMembers(groups, group)[0]!));
}

describe('findDuplicateGroups', () => {
  it('groups identical codes exactly like a brute-force comparison (exact match)', () => {
    for (const seed of [1, 2, 3]) {
      const codes = plantedRandomCodes(400, 128, seed, 2);
      const input = { codes, codeBits: 128, count: 400 };
      const groups = findDuplicateGroups(input);
      expect(leadersOf(groups)).toEqual(bruteForceGroupLeaders(input, 0));
      expect(groups.groupCount).toBeGreaterThan(5);
      expect(groups.stats.parts).toBe(1);
    }
  });

  it('lists groups by first member, members ascending, and counts pairs', () => {
    const codes = new Uint8Array([5, 7, 5, 9, 7, 5]);
    const groups = findDuplicateGroups({ codes, codeBits: 8, count: 6 });
    expect(groups.groupCount).toBe(2);
    expect(Array.from(groupMembers(groups, 0))).toEqual([0, 2, 5]);
    expect(Array.from(groupMembers(groups, 1))).toEqual([1, 4]);
    expect(countGroupPairs(groups)).toBe(3 + 1);
  });

  it.each([1, 2, 3, 5])('matches brute force within Hamming radius %i (multi-index hashing)', (radius) => {
    const codes = plantedRandomCodes(300, 64, 10 + radius, radius + 2);
    const input = { codes, codeBits: 64, count: 300 };
    const groups = findDuplicateGroups(input, { radius });
    expect(leadersOf(groups)).toEqual(bruteForceGroupLeaders(input, radius));
    expect(groups.stats.parts).toBe(radius + 1);
    expect(groups.stats.matchedPairs).toBeGreaterThan(0);
    // Near copies exist in this set, so the radius must join more items than exact matching does.
    const inGroups = (found: DuplicateGroups) => found.members.length;
    expect(inGroups(groups)).toBeGreaterThan(inGroups(findDuplicateGroups(input)));
  });

  it('handles code widths that are not a multiple of 8 bits', () => {
    const codes = plantedRandomCodes(200, 21, 4, 2);
    const input = { codes, codeBits: 21, count: 200 };
    expect(leadersOf(findDuplicateGroups(input, { radius: 2 }))).toEqual(bruteForceGroupLeaders(input, 2));
  });

  it('joins items through shift-probe codes like brute force', () => {
    const count = 150;
    const probes = 3;
    const codes = plantedRandomCodes(count, 64, 21, 1);
    // Probe codes: mostly random, some equal to (or near) another item's code.
    const probeCodes = plantedRandomCodes(count * probes, 64, 22, 0, 0);
    const codeBytes = codeBytesOf(64);
    for (let item = 0; item < count; item += 7) {
      const target = (item * 13 + 5) % count;
      probeCodes.set(
        codes.subarray(target * codeBytes, (target + 1) * codeBytes),
        (item * probes + (item % probes)) * codeBytes,
      );
      if (item % 2 === 0) {
        const at = (item * probes + (item % probes)) * codeBytes;
        probeCodes[at] = probeCodes[at]! ^ 1;
      }
    }
    const input = { codes, codeBits: 64, count, probeCodes, probesPerItem: probes };
    for (const [radius, probeRadius] of [
      [0, 0],
      [0, 1],
      [2, 1],
    ] as const) {
      const groups = findDuplicateGroups(input, { radius, probeRadius });
      expect(leadersOf(groups)).toEqual(bruteForceGroupLeaders(input, radius, probeRadius));
    }
  });

  it('refuses a radius the code cannot be cut for, and malformed codes', () => {
    const codes = new Uint8Array(16);
    expect(() => findDuplicateGroups({ codes, codeBits: 64, count: 2 }, { radius: 8 })).toThrow(
      /Expected `radius` to be an integer in 0\.\.7 for 64-bit codes/,
    );
    expect(() => findDuplicateGroups({ codes, codeBits: 64, count: 3 })).toThrow(DedupError);
  });
});
