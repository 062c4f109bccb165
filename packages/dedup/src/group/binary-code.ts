import { DedupError } from '../errors/dedup-error';

/**
 * Binary codes are stored packed, `codeBytes = ceil(codeBits / 8)` bytes per item, item after item, bit `b` of a
 * code in byte `b >> 3` at mask `1 << (b & 7)`. Unused high bits of the last byte are zero.
 */
export interface PackedCodes {
  /** `count * codeBytes` bytes. */
  readonly codes: Uint8Array;
  readonly codeBits: number;
  readonly count: number;
}

/** Bytes per packed code. */
export function codeBytesOf(codeBits: number): number {
  return Math.ceil(codeBits / 8);
}

/** Throws a {@link DedupError} unless `codes` holds `count` well-formed codes of `codeBits` bits. */
export function assertPackedCodes(packed: PackedCodes, what = 'codes'): void {
  const { codes, codeBits, count } = packed;
  if (!Number.isInteger(codeBits) || codeBits < 1)
    throw new DedupError(`Expected \`codeBits\` of ${what} to be a positive integer, got \`${codeBits}\``);
  if (!Number.isInteger(count) || count < 0)
    throw new DedupError(`Expected \`count\` of ${what} to be a non-negative integer, got \`${count}\``);
  if (!(codes instanceof Uint8Array)) throw new DedupError(`Expected \`codes\` of ${what} to be a Uint8Array`);
  const expected = count * codeBytesOf(codeBits);
  if (codes.length !== expected) {
    throw new DedupError(
      `Expected ${what} to hold count * ceil(codeBits / 8) = ${expected} bytes, got \`${codes.length}\``,
    );
  }
}

const popcountTable = (() => {
  const table = new Uint8Array(256);
  for (let value = 1; value < 256; value += 1) table[value] = (value & 1) + table[value >> 1]!;
  return table;
})();

/**
 * Hamming distance between code `first` of `left` and code `second` of `right`, stopping early once it exceeds
 * `limit` (then some value > `limit` is returned).
 *
 * @example
 * hammingDistance(codes, 16, 0, codes, 3, 128); // distance between items 0 and 3
 */
export function hammingDistance(
  left: Uint8Array,
  codeBytes: number,
  first: number,
  right: Uint8Array,
  second: number,
  limit = Number.POSITIVE_INFINITY,
): number {
  let distance = 0;
  const leftOffset = first * codeBytes;
  const rightOffset = second * codeBytes;
  for (let byte = 0; byte < codeBytes; byte += 1) {
    distance += popcountTable[left[leftOffset + byte]! ^ right[rightOffset + byte]!]!;
    if (distance > limit) return distance;
  }
  return distance;
}

/** Packs `values > threshold` (row-major, `count` rows of `codeBits` values) into codes. */
export function packThresholded(
  values: ArrayLike<number>,
  count: number,
  codeBits: number,
  threshold: number,
  into?: Uint8Array,
): Uint8Array {
  const codeBytes = codeBytesOf(codeBits);
  const codes = into ?? new Uint8Array(count * codeBytes);
  for (let item = 0; item < count; item += 1) {
    const base = item * codeBits;
    const out = item * codeBytes;
    for (let byte = 0; byte < codeBytes; byte += 1) {
      let packed = 0;
      const first = byte * 8;
      const last = Math.min(codeBits, first + 8);
      for (let bit = first; bit < last; bit += 1) if (values[base + bit]! > threshold) packed |= 1 << (bit - first);
      codes[out + byte] = packed;
    }
  }
  return codes;
}
