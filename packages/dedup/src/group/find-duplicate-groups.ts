import { DedupError } from '../errors/dedup-error';
import { assertPackedCodes, codeBytesOf, hammingDistance, type PackedCodes } from './binary-code';
import { ByteKeyIndex } from './byte-key-index';
import type { DuplicateGroups } from './duplicate-groups';
import { UnionFind } from './union-find';

/** Codes to group, with optional shift-probe codes (see `hashSource`'s `shiftProbes`). */
export interface CodesToGroup extends PackedCodes {
  /** `count * probesPerItem` extra codes, item-major: the codes of shifted copies of each item. */
  readonly probeCodes?: Uint8Array | undefined;
  /** @default 0 */
  readonly probesPerItem?: number | undefined;
}

/** Options of {@link findDuplicateGroups}. */
export interface FindDuplicateGroupsOptions {
  /**
   * Largest Hamming distance between two items' codes that makes them duplicates. 0 is the paper's exact code match
   * (expected linear time). A radius r > 0 uses multi-index hashing: codes are cut into r + 1 byte-aligned parts, two
   * codes within distance r agree exactly on at least one part (pigeonhole), so only items that share a part are
   * compared. Cost: r + 1 hash-table passes over the codes, plus one distance per candidate pair, whose number is
   * reported as `stats.candidatePairs` (about (r + 1) * n^2 / 2^(codeBits / (r + 1)) for well-spread codes, more
   * where codes crowd). Must be below the code's byte count.
   * @default 0
   */
  readonly radius?: number;
  /** Largest distance between a shift probe of one item and another item's code. @default radius */
  readonly probeRadius?: number;
}

/**
 * Groups items whose codes match exactly (or within `radius` bits), joining matches transitively
 * (a ~ b and b ~ c puts a, b and c in one group). Expected linear time and memory for exact matching.
 *
 * @example
 * const groups = findDuplicateGroups({ codes, codeBits: 128, count }, { radius: 0 });
 * console.log(`${groups.groupCount} groups`);
 */
export function findDuplicateGroups(input: CodesToGroup, options: FindDuplicateGroupsOptions = {}): DuplicateGroups {
  const started = performance.now();
  assertPackedCodes(input);
  const { codes, codeBits, count } = input;
  const codeBytes = codeBytesOf(codeBits);
  const probesPerItem = input.probesPerItem ?? 0;
  const probeCodes = input.probeCodes;
  if (!Number.isInteger(probesPerItem) || probesPerItem < 0) throw new DedupError(`Expected \`probesPerItem\` to be a non-negative integer, got \`${probesPerItem}\``);
  if (probesPerItem > 0 && (probeCodes === undefined || probeCodes.length !== count * probesPerItem * codeBytes)) {
    throw new DedupError(`Expected \`probeCodes\` to hold count * probesPerItem * ${codeBytes} = ${count * probesPerItem * codeBytes} bytes, got \`${probeCodes?.length ?? 0}\``);
  }
  const radius = options.radius ?? 0;
  const probeRadius = options.probeRadius ?? radius;
  for (const [name, value] of [['radius', radius], ['probeRadius', probeRadius]] as const) {
    if (!Number.isInteger(value) || value < 0 || value >= codeBytes) {
      throw new DedupError(
        `Expected \`${name}\` to be an integer in 0..${codeBytes - 1} for ${codeBits}-bit codes (multi-index hashing cuts the code into radius + 1 byte-aligned parts), got \`${value}\``,
      );
    }
  }
  const parts = Math.max(radius, probesPerItem > 0 ? probeRadius : 0) + 1;
  const sets = new UnionFind(count);
  let candidatePairs = 0;
  let matchedPairs = 0;
  const partStart = (part: number) => Math.floor((part * codeBytes) / parts);
  const equalBefore = (left: Uint8Array, first: number, second: number, part: number): boolean => {
    // True when the two codes agree exactly on some earlier part: the pair was met (and checked) there already.
    for (let earlier = 0; earlier < part; earlier += 1) {
      let equal = true;
      for (let byte = partStart(earlier); byte < partStart(earlier + 1); byte += 1) {
        if (left[first * codeBytes + byte] !== codes[second * codeBytes + byte]) {
          equal = false;
          break;
        }
      }
      if (equal) return true;
    }
    return false;
  };

  for (let part = 0; part < parts; part += 1) {
    const start = partStart(part);
    const index = new ByteKeyIndex(codes, codeBytes, count, start, partStart(part + 1) - start);
    for (let bucket = 0; bucket < index.bucketCount; bucket += 1) {
      const from = index.starts[bucket]!;
      const to = index.starts[bucket + 1]!;
      if (to - from < 2) continue;
      if (parts === 1) {
        // Exact match: a bucket is a group, no distances needed.
        for (let position = from + 1; position < to; position += 1) sets.union(index.members[from]!, index.members[position]!);
        matchedPairs += to - from - 1;
        continue;
      }
      for (let left = from; left < to; left += 1) {
        const first = index.members[left]!;
        for (let right = left + 1; right < to; right += 1) {
          const second = index.members[right]!;
          if (equalBefore(codes, first, second, part)) continue;
          candidatePairs += 1;
          if (hammingDistance(codes, codeBytes, first, codes, second, radius) <= radius) {
            matchedPairs += 1;
            sets.union(first, second);
          }
        }
      }
    }
    if (probesPerItem > 0 && probeCodes !== undefined) {
      for (let item = 0; item < count; item += 1) {
        for (let probe = 0; probe < probesPerItem; probe += 1) {
          const query = item * probesPerItem + probe;
          const bucket = index.lookup(probeCodes, query);
          if (bucket === -1) continue;
          for (let position = index.starts[bucket]!; position < index.starts[bucket + 1]!; position += 1) {
            const other = index.members[position]!;
            if (other === item || equalBefore(probeCodes, query, other, part)) continue;
            candidatePairs += 1;
            if (hammingDistance(probeCodes, codeBytes, query, codes, other, probeRadius) <= probeRadius) {
              matchedPairs += 1;
              sets.union(item, other);
            }
          }
        }
      }
    }
  }
  return collectGroups(sets, count, {
    radius,
    probeRadius: probesPerItem > 0 ? probeRadius : 0,
    probesPerItem,
    parts,
    candidatePairs,
    matchedPairs,
    seconds: (performance.now() - started) / 1000,
  });
}

function collectGroups(sets: UnionFind, count: number, stats: DuplicateGroups['stats']): DuplicateGroups {
  const rootOf = new Int32Array(count);
  const groupOfRoot = new Int32Array(count).fill(-1);
  const sizes: number[] = [];
  for (let item = 0; item < count; item += 1) {
    const root = sets.find(item);
    rootOf[item] = root;
    if (groupOfRoot[root] === -1 && sets.setSize(root) >= 2) {
      groupOfRoot[root] = sizes.length;
      sizes.push(sets.setSize(root));
    }
  }
  const groupCount = sizes.length;
  const groupStarts = new Int32Array(groupCount + 1);
  for (let group = 0; group < groupCount; group += 1) groupStarts[group + 1] = groupStarts[group]! + sizes[group]!;
  const cursor = groupStarts.slice(0, groupCount);
  const members = new Int32Array(groupStarts[groupCount]!);
  for (let item = 0; item < count; item += 1) {
    const group = groupOfRoot[rootOf[item]!]!;
    if (group === -1) continue;
    members[cursor[group]!] = item;
    cursor[group] = cursor[group]! + 1;
  }
  return { itemCount: count, groupCount, groupStarts, members, stats };
}
