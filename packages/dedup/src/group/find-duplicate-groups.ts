import type { RawImage } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import { differenceHashCodes } from '../hash/difference-hasher';
import { assertPackedCodes, codeBytesOf, hammingDistance, type PackedCodes } from './binary-code';
import { ByteKeyIndex } from './byte-key-index';
import type { DuplicateGroups, GroupingStats } from './duplicate-groups';
import { resolveVerification, verifyThumbnailPair, type Thumbnails, type VerificationOptions } from './thumbnails';

/** Codes to group, with optional shift-probe codes (see `hashSource`'s `shiftProbes`) and verification thumbnails. */
export interface CodesToGroup extends PackedCodes {
  /** `count * probesPerItem` extra codes, item-major: the codes of shifted copies of each item. */
  readonly probeCodes?: Uint8Array | undefined;
  /** @default 0 */
  readonly probesPerItem?: number | undefined;
  /**
   * A small thumbnail of each item (`hashSource` keeps them). When present, every pair the codes propose is verified
   * on the thumbnails before it counts (see `verification`); without them, code matches count as they are.
   */
  readonly thumbnails?: Thumbnails | undefined;
}

/** Options of {@link findDuplicateGroups}. */
export interface FindDuplicateGroupsOptions {
  /**
   * Largest Hamming distance between two items' codes that makes them candidates. 0 is the paper's exact code match
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
  /** How candidate pairs are verified on the thumbnails (ignored without thumbnails). */
  readonly verification?: VerificationOptions;
  /**
   * With thumbnails: also propose as candidates the pairs whose thumbnails' 64-bit difference hashes (dHash, as
   * `createDifferenceHasher` computes it) are within this Hamming radius, found by multi-index hashing as the codes
   * are (radius + 1 byte-aligned parts, the same bucket limit). A second, pixel-level way to meet: a JPEG re-encoding
   * can move a semantic code by more than `radius` bits while its thumbnail's dHash stays put. The pairs are verified
   * like every other candidate. -1 turns it off.
   * @default -1
   */
  readonly thumbnailHashRadius?: number;
  /**
   * Hash buckets (items sharing a code, or a part of it for `radius` > 0) larger than this are left ungrouped and
   * counted in `stats.oversizedBuckets`: so many items on one code means the hasher does not tell them apart (dead
   * bits, e.g. a hasher trained on too little or on other data), and comparing all their pairs would cost quadratic
   * time. Shift probes that land in such a bucket are skipped too. With `radius` > 0, an item whose bucket is
   * oversized in every part still matches the items with its identical whole code (a bucket under the same limit):
   * crowded parts do not hide exact copies.
   * @default 32
   */
  readonly maximumBucketSize?: number;
}

/**
 * Groups duplicates without chaining: items are visited in order; an item that is in no group yet keeps its place
 * and takes into its group every later, still ungrouped item whose code matches its own (exactly, within `radius`,
 * or through a shift probe) and, with thumbnails, whose thumbnail passes verification against it. So an item joins
 * a group only through a verified match with the group's kept (first) item: a ~ b and b ~ c with a !~ c gives the
 * group {a, b} and leaves c alone. Expected linear time and memory for exact matching.
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
  const thumbnails = input.thumbnails;
  if (!Number.isInteger(probesPerItem) || probesPerItem < 0)
    throw new DedupError(`Expected \`probesPerItem\` to be a non-negative integer, got \`${probesPerItem}\``);
  if (probesPerItem > 0 && (probeCodes === undefined || probeCodes.length !== count * probesPerItem * codeBytes)) {
    throw new DedupError(
      `Expected \`probeCodes\` to hold count * probesPerItem * ${codeBytes} = ${count * probesPerItem * codeBytes} bytes, got \`${probeCodes?.length ?? 0}\``,
    );
  }
  if (
    thumbnails !== undefined &&
    thumbnails.data.length !== count * thumbnails.size * thumbnails.size * thumbnails.channels
  ) {
    throw new DedupError(
      `Expected \`thumbnails\` to hold count * ${thumbnails.size} * ${thumbnails.size} * ${thumbnails.channels} = ${count * thumbnails.size * thumbnails.size * thumbnails.channels} bytes, got \`${thumbnails.data.length}\``,
    );
  }
  const verification = resolveVerification(options.verification);
  const radius = options.radius ?? 0;
  const probeRadius = options.probeRadius ?? radius;
  for (const [name, value] of [
    ['radius', radius],
    ['probeRadius', probeRadius],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value >= codeBytes) {
      throw new DedupError(
        `Expected \`${name}\` to be an integer in 0..${codeBytes - 1} for ${codeBits}-bit codes (multi-index hashing cuts the code into radius + 1 byte-aligned parts), got \`${value}\``,
      );
    }
  }
  const maximumBucketSize = options.maximumBucketSize ?? 32;
  if (!Number.isInteger(maximumBucketSize) || maximumBucketSize < 2)
    throw new DedupError(`Expected \`maximumBucketSize\` to be an integer >= 2, got \`${maximumBucketSize}\``);
  const parts = Math.max(radius, probesPerItem > 0 ? probeRadius : 0) + 1;
  let oversizedBuckets = 0;
  let itemsInOversizedBuckets = 0;
  const oversized = (size: number): boolean => size > maximumBucketSize;
  // Candidate pairs (smaller item, larger item) that matched on the codes; exact-match buckets are kept as buckets.
  const edges = new PairList();
  let exactIndex: ByteKeyIndex | undefined;
  // With radius > 0: bit p set when the item's bucket in part p was oversized (left out). A pair that agrees on such a
  // part was not compared there, so a later part must still compare it. An item whose every part bucket was too large
  // was compared with nobody, so its exact code matches (identical codes share every part) are taken from a
  // whole-code index instead, under the same bucket limit: an exact copy is never lost to a crowded part.
  const oversizedParts = parts > 1 ? new Uint32Array(count) : undefined;
  const allParts = 2 ** parts - 1;
  let candidatePairs = 0;
  let matchedPairs = 0;
  const partStart = (part: number) => Math.floor((part * codeBytes) / parts);
  const equalBefore = (left: Uint8Array, first: number, second: number, part: number): boolean => {
    // True when the two codes agree exactly on some earlier part whose bucket was not left out: the pair was met (and
    // checked) there already.
    for (let earlier = 0; earlier < part; earlier += 1) {
      if ((oversizedParts![second]! >>> earlier) & 1) continue;
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
    if (parts === 1) {
      // Exact match: a bucket's members all match each other, no distances needed.
      exactIndex = index;
      for (let bucket = 0; bucket < index.bucketCount; bucket += 1) {
        const size = index.starts[bucket + 1]! - index.starts[bucket]!;
        if (oversized(size)) {
          oversizedBuckets += 1;
          itemsInOversizedBuckets += size;
          continue;
        }
        matchedPairs += (size * (size - 1)) / 2;
      }
    } else {
      for (let bucket = 0; bucket < index.bucketCount; bucket += 1) {
        const from = index.starts[bucket]!;
        const to = index.starts[bucket + 1]!;
        if (oversized(to - from)) {
          oversizedBuckets += 1;
          itemsInOversizedBuckets += to - from;
          for (let position = from; position < to; position += 1)
            oversizedParts![index.members[position]!]! |= 1 << part;
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
              edges.push(first, second);
            }
          }
        }
      }
    }
    if (probesPerItem > 0 && probeCodes !== undefined) {
      for (let item = 0; item < count; item += 1) {
        for (let probe = 0; probe < probesPerItem; probe += 1) {
          const query = item * probesPerItem + probe;
          const bucket = index.lookup(probeCodes, query);
          if (bucket === -1 || oversized(index.starts[bucket + 1]! - index.starts[bucket]!)) continue;
          for (let position = index.starts[bucket]!; position < index.starts[bucket + 1]!; position += 1) {
            const other = index.members[position]!;
            if (other === item || equalBefore(probeCodes, query, other, part)) continue;
            candidatePairs += 1;
            if (hammingDistance(probeCodes, codeBytes, query, codes, other, probeRadius) <= probeRadius) {
              matchedPairs += 1;
              edges.push(item, other);
            }
          }
        }
      }
    }
  }
  const crowded = (item: number): boolean => oversizedParts === undefined || oversizedParts[item] === allParts;
  if (oversizedParts?.some((mask) => mask === allParts)) {
    exactIndex = new ByteKeyIndex(codes, codeBytes, count, 0, codeBytes);
    for (let bucket = 0; bucket < exactIndex.bucketCount; bucket += 1) {
      const size = exactIndex.starts[bucket + 1]! - exactIndex.starts[bucket]!;
      if (size > 1 && !oversized(size) && crowded(exactIndex.members[exactIndex.starts[bucket]!]!))
        matchedPairs += (size * (size - 1)) / 2;
    }
  }
  const thumbnailHashRadius = options.thumbnailHashRadius ?? -1;
  if (!Number.isInteger(thumbnailHashRadius) || thumbnailHashRadius < -1 || thumbnailHashRadius > 7)
    throw new DedupError(`Expected \`thumbnailHashRadius\` to be an integer in -1..7, got \`${thumbnailHashRadius}\``);
  let thumbnailHashPairs = 0;
  if (thumbnails !== undefined && thumbnailHashRadius >= 0) {
    const { size, channels, data } = thumbnails;
    const stride = size * size * channels;
    const images = Array.from(
      { length: count },
      (_, item): RawImage => ({
        width: size,
        height: size,
        channels: channels === 3 ? 3 : 1,
        data: data.subarray(item * stride, (item + 1) * stride),
      }),
    );
    const near = nearPairs(differenceHashCodes(images), 8, count, thumbnailHashRadius, maximumBucketSize);
    candidatePairs += near.candidatePairs;
    oversizedBuckets += near.oversizedBuckets;
    for (let pair = 0; pair < near.pairs.length; pair += 2) {
      thumbnailHashPairs += 1;
      edges.push(near.pairs[pair]!, near.pairs[pair + 1]!);
    }
  }
  const matchingSeconds = (performance.now() - started) / 1000;

  // Star grouping in item order, verifying each (kept item, candidate) pair once.
  const verifyStarted = performance.now();
  const neighbours = edges.toAdjacency(count);
  const keeperOf = new Int32Array(count).fill(-1);
  let checkedPairs = 0;
  let acceptedPairs = 0;
  const consider = (keeper: number, other: number): void => {
    if (keeperOf[other] !== -1) return;
    checkedPairs += 1;
    if (thumbnails !== undefined && !verifyThumbnailPair(thumbnails, keeper, other, verification)) return;
    acceptedPairs += 1;
    keeperOf[other] = keeper;
  };
  for (let item = 0; item < count; item += 1) {
    if (keeperOf[item] !== -1) continue;
    if (exactIndex !== undefined && crowded(item)) {
      const bucket = exactIndex.bucketOf[item]!;
      if (!oversized(exactIndex.starts[bucket + 1]! - exactIndex.starts[bucket]!))
        for (let position = exactIndex.starts[bucket]!; position < exactIndex.starts[bucket + 1]!; position += 1) {
          const other = exactIndex.members[position]!;
          if (other > item) consider(item, other);
        }
    }
    for (let position = neighbours.starts[item]!; position < neighbours.starts[item + 1]!; position += 1)
      consider(item, neighbours.others[position]!);
  }
  const verifySeconds = (performance.now() - verifyStarted) / 1000;
  return collectStarGroups(keeperOf, count, {
    radius,
    probeRadius: probesPerItem > 0 ? probeRadius : 0,
    probesPerItem,
    parts,
    candidatePairs,
    matchedPairs,
    thumbnailHashRadius,
    thumbnailHashPairs,
    verification:
      thumbnails === undefined
        ? null
        : {
            measure: 'thumbnail-correlation',
            thumbnailSize: thumbnails.size,
            thumbnailChannels: thumbnails.channels,
            ...verification,
            checkedPairs,
            acceptedPairs,
            seconds: verifySeconds,
          },
    groupedPairs: acceptedPairs,
    oversizedBuckets,
    itemsInOversizedBuckets,
    matchingSeconds,
    seconds: (performance.now() - started) / 1000,
  });
}

/**
 * The pairs of items whose `codeBytes`-byte codes lie within `radius` bits, by multi-index hashing (radius + 1
 * byte-aligned parts; a pair is taken in the first part it agrees on whose bucket was not over `maximumBucketSize`),
 * as a flat list [first, second, ...].
 */
function nearPairs(
  codes: Uint8Array,
  codeBytes: number,
  count: number,
  radius: number,
  maximumBucketSize: number,
): { pairs: Int32Array; candidatePairs: number; oversizedBuckets: number } {
  const parts = radius + 1;
  const partStart = (part: number) => Math.floor((part * codeBytes) / parts);
  const left = new Uint32Array(count); // bit p: the item's bucket in part p was over the limit
  const found: number[] = [];
  let candidatePairs = 0;
  let oversizedBuckets = 0;
  const metBefore = (first: number, second: number, part: number): boolean => {
    for (let earlier = 0; earlier < part; earlier += 1) {
      if ((left[first]! >>> earlier) & 1) continue;
      let equal = true;
      for (let byte = partStart(earlier); byte < partStart(earlier + 1) && equal; byte += 1)
        equal = codes[first * codeBytes + byte] === codes[second * codeBytes + byte];
      if (equal) return true;
    }
    return false;
  };
  for (let part = 0; part < parts; part += 1) {
    const index = new ByteKeyIndex(codes, codeBytes, count, partStart(part), partStart(part + 1) - partStart(part));
    for (let bucket = 0; bucket < index.bucketCount; bucket += 1) {
      const from = index.starts[bucket]!;
      const to = index.starts[bucket + 1]!;
      if (to - from > maximumBucketSize) {
        oversizedBuckets += 1;
        for (let position = from; position < to; position += 1) left[index.members[position]!]! |= 1 << part;
        continue;
      }
      for (let one = from; one < to; one += 1) {
        for (let other = one + 1; other < to; other += 1) {
          const first = index.members[one]!;
          const second = index.members[other]!;
          if (metBefore(first, second, part)) continue;
          candidatePairs += 1;
          if (hammingDistance(codes, codeBytes, first, codes, second, radius) <= radius) found.push(first, second);
        }
      }
    }
  }
  return { pairs: Int32Array.from(found), candidatePairs, oversizedBuckets };
}

/** A growable list of item pairs, turned into per-item lists of larger partners. */
class PairList {
  private smaller = new Int32Array(1024);
  private larger = new Int32Array(1024);
  length = 0;

  push(first: number, second: number): void {
    if (this.length === this.smaller.length) {
      const grow = (array: Int32Array) => {
        const next = new Int32Array(array.length * 2);
        next.set(array);
        return next;
      };
      this.smaller = grow(this.smaller);
      this.larger = grow(this.larger);
    }
    this.smaller[this.length] = Math.min(first, second);
    this.larger[this.length] = Math.max(first, second);
    this.length += 1;
  }

  /** For each item, its larger partners, ascending, without repeats. */
  toAdjacency(count: number): { starts: Int32Array; others: Int32Array } {
    const starts = new Int32Array(count + 1);
    for (let pair = 0; pair < this.length; pair += 1)
      starts[this.smaller[pair]! + 1] = starts[this.smaller[pair]! + 1]! + 1;
    for (let item = 0; item < count; item += 1) starts[item + 1] = starts[item + 1]! + starts[item]!;
    const cursor = starts.slice(0, count);
    const others = new Int32Array(this.length);
    for (let pair = 0; pair < this.length; pair += 1) {
      const item = this.smaller[pair]!;
      others[cursor[item]!] = this.larger[pair]!;
      cursor[item] = cursor[item]! + 1;
    }
    for (let item = 0; item < count; item += 1) others.subarray(starts[item]!, starts[item + 1]!).sort();
    return { starts, others };
  }
}

function collectStarGroups(keeperOf: Int32Array, count: number, stats: GroupingStats): DuplicateGroups {
  // Group g is keeper g's star; keepers are visited in order, members come out ascending (keeper first).
  const size = new Int32Array(count);
  for (let item = 0; item < count; item += 1)
    if (keeperOf[item] !== -1) size[keeperOf[item]!] = size[keeperOf[item]!]! + 1;
  const groupOf = new Int32Array(count).fill(-1);
  const starts: number[] = [0];
  for (let item = 0; item < count; item += 1) {
    if (size[item]! === 0) continue;
    groupOf[item] = starts.length - 1;
    starts.push(starts[starts.length - 1]! + size[item]! + 1);
  }
  const groupCount = starts.length - 1;
  const groupStarts = Int32Array.from(starts);
  const cursor = groupStarts.slice(0, groupCount);
  const members = new Int32Array(groupStarts[groupCount]!);
  for (let item = 0; item < count; item += 1) {
    const group = groupOf[item] !== -1 ? groupOf[item]! : keeperOf[item] !== -1 ? groupOf[keeperOf[item]!]! : -1;
    if (group === -1) continue;
    members[cursor[group]!] = item;
    cursor[group] = cursor[group]! + 1;
  }
  return { itemCount: count, groupCount, groupStarts, members, stats };
}
