/**
 * Buckets of equal byte strings: for each of `count` items, the bytes `[byteStart, byteStart + byteLength)` of its
 * packed code. Built in expected linear time with an open-addressing hash table (no sorting), and answers lookups
 * of other codes' bytes. Memory: about 4 * (capacity + 3 * count) bytes, capacity = the power of two >= 2 * count.
 */
export class ByteKeyIndex {
  /** Bucket of each item. */
  readonly bucketOf: Int32Array;
  /** Members of bucket `b` are `members[starts[b] .. starts[b + 1])`, ascending. */
  readonly starts: Int32Array;
  readonly members: Int32Array;
  readonly bucketCount: number;
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly representative: Int32Array;

  constructor(
    private readonly codes: Uint8Array,
    private readonly codeBytes: number,
    readonly count: number,
    private readonly byteStart: number,
    private readonly byteLength: number,
  ) {
    let capacity = 16;
    while (capacity < 2 * count) capacity *= 2;
    this.mask = capacity - 1;
    this.table = new Int32Array(capacity).fill(-1);
    this.bucketOf = new Int32Array(count);
    const representative = new Int32Array(count);
    let bucketCount = 0;
    for (let item = 0; item < count; item += 1) {
      const offset = item * codeBytes + byteStart;
      let slot = hashBytes(codes, offset, byteLength) & this.mask;
      for (;;) {
        const bucket = this.table[slot]!;
        if (bucket === -1) {
          this.table[slot] = bucketCount;
          representative[bucketCount] = item;
          this.bucketOf[item] = bucketCount;
          bucketCount += 1;
          break;
        }
        if (equalBytes(codes, representative[bucket]! * codeBytes + byteStart, codes, offset, byteLength)) {
          this.bucketOf[item] = bucket;
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
    this.bucketCount = bucketCount;
    this.representative = representative.subarray(0, bucketCount);
    // Counting sort of items by bucket; items are visited in order, so members come out ascending.
    const starts = new Int32Array(bucketCount + 1);
    for (let item = 0; item < count; item += 1) {
      const at = this.bucketOf[item]! + 1;
      starts[at] = starts[at]! + 1;
    }
    for (let bucket = 0; bucket < bucketCount; bucket += 1) starts[bucket + 1] = starts[bucket + 1]! + starts[bucket]!;
    const cursor = starts.slice(0, bucketCount);
    const members = new Int32Array(count);
    for (let item = 0; item < count; item += 1) {
      const bucket = this.bucketOf[item]!;
      members[cursor[bucket]!] = item;
      cursor[bucket] = cursor[bucket]! + 1;
    }
    this.starts = starts;
    this.members = members;
  }

  /** The bucket whose bytes equal those of code `item` of `queryCodes` (same layout), or -1. */
  lookup(queryCodes: Uint8Array, item: number): number {
    const offset = item * this.codeBytes + this.byteStart;
    let slot = hashBytes(queryCodes, offset, this.byteLength) & this.mask;
    for (;;) {
      const bucket = this.table[slot]!;
      if (bucket === -1) return -1;
      if (
        equalBytes(
          this.codes,
          this.representative[bucket]! * this.codeBytes + this.byteStart,
          queryCodes,
          offset,
          this.byteLength,
        )
      )
        return bucket;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Number of items in `bucket`. */
  sizeOf(bucket: number): number {
    return this.starts[bucket + 1]! - this.starts[bucket]!;
  }
}

/** 32-bit FNV-1a over the bytes, then a murmur3 finaliser so that low bits (the table slot) are well mixed. */
function hashBytes(bytes: Uint8Array, offset: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < length; index += 1) hash = Math.imul(hash ^ bytes[offset + index]!, 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function equalBytes(
  left: Uint8Array,
  leftOffset: number,
  right: Uint8Array,
  rightOffset: number,
  length: number,
): boolean {
  for (let index = 0; index < length; index += 1)
    if (left[leftOffset + index] !== right[rightOffset + index]) return false;
  return true;
}
