/** What grouping cost, for the report (and to state the price of a Hamming radius). */
export interface GroupingStats {
  readonly radius: number;
  readonly probeRadius: number;
  /** Shift probes per item that were looked up (0 without probes). */
  readonly probesPerItem: number;
  /** Byte-aligned parts the codes were split into for multi-index hashing (radius + 1; 1 for exact match). */
  readonly parts: number;
  /** Code pairs whose full Hamming distance was computed (0 for exact match, which needs none). */
  readonly candidatePairs: number;
  /** Pairs whose codes match (within the radius, or through a probe): the candidates for verification. */
  readonly matchedPairs: number;
  /** The thumbnails' dHash radius that also proposed candidates (-1: off; absent in reports made before it). */
  readonly thumbnailHashRadius?: number;
  /** Candidate pairs proposed by the thumbnails' dHash (some may also have matched on the codes). */
  readonly thumbnailHashPairs?: number;
  /** The thumbnail check of candidate pairs and what it cost; null when the codes were grouped without thumbnails. */
  readonly verification: VerificationStats | null;
  /** (kept item, other) pairs that put the other item into the kept item's group: the items dropped. */
  readonly groupedPairs: number;
  /**
   * Buckets left ungrouped for holding more than `maximumBucketSize` items (summed over the code parts), and the
   * items in them (an item can count once per part). Many means the hasher does not fit the data.
   */
  readonly oversizedBuckets: number;
  readonly itemsInOversizedBuckets: number;
  /** Seconds spent finding candidate pairs on the codes. */
  readonly matchingSeconds: number;
  /** Total seconds (matching and verification). */
  readonly seconds: number;
}

/** How candidate pairs were verified, and the cost. */
export interface VerificationStats {
  readonly measure: 'thumbnail-correlation';
  readonly thumbnailSize: number;
  readonly thumbnailChannels: number;
  readonly maximumDistance: number;
  readonly maximumShift: number;
  readonly maximumMeanChange: number;
  /** Pixels this close to both thumbnails' background colour were left out (0: every pixel compared). */
  readonly backgroundTolerance: number;
  /** (kept item, candidate) pairs whose thumbnails were compared. */
  readonly checkedPairs: number;
  /** Of those, pairs that passed (each drops one item). */
  readonly acceptedPairs: number;
  readonly seconds: number;
}

/**
 * Duplicate groups over items `0..itemCount-1` (positions in the hashed list), in compressed form so that memory
 * stays linear in the item count: group `g` is `members[groupStarts[g] .. groupStarts[g + 1])`. Only groups of two
 * or more items are listed; members are ascending and groups are ordered by their first member, the kept item (every
 * other member matched it directly: groups never chain).
 */
export interface DuplicateGroups {
  readonly itemCount: number;
  readonly groupCount: number;
  readonly groupStarts: Int32Array;
  readonly members: Int32Array;
  readonly stats: GroupingStats;
}

/**
 * The members of group `group`.
 *
 * @example
 * for (let group = 0; group < groups.groupCount; group += 1) console.log(groupMembers(groups, group));
 */
export function groupMembers(groups: DuplicateGroups, group: number): Int32Array {
  return groups.members.subarray(groups.groupStarts[group]!, groups.groupStarts[group + 1]!);
}

/** Number of item pairs that share a group: the sum of k * (k - 1) / 2 over group sizes k. */
export function countGroupPairs(groups: DuplicateGroups): number {
  let pairs = 0;
  for (let group = 0; group < groups.groupCount; group += 1) {
    const size = groups.groupStarts[group + 1]! - groups.groupStarts[group]!;
    pairs += (size * (size - 1)) / 2;
  }
  return pairs;
}

/** Group index of each item, -1 for items in no group. */
export function groupIndexOfItems(groups: DuplicateGroups): Int32Array {
  const groupOf = new Int32Array(groups.itemCount).fill(-1);
  for (let group = 0; group < groups.groupCount; group += 1) {
    for (let position = groups.groupStarts[group]!; position < groups.groupStarts[group + 1]!; position += 1)
      groupOf[groups.members[position]!] = group;
  }
  return groupOf;
}
