import { decline } from './decline';
import type { HuffmanTable } from './types';

/**
 * Builds a table from a DHT segment's 16 code counts and its symbols: a 9-bit look-up for short codes (most of
 * them), canonical-code bounds for the longer ones, and, for AC tables, a one-look-up path for a short code and its
 * value bits together.
 */
export function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const lookup = new Uint16Array(512);
  const maxCode = new Int32Array(18).fill(-1);
  const offset = new Int32Array(18);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length += 1) {
    const count = counts[length - 1]!;
    offset[length] = index - code;
    if (count > 0) {
      for (let i = 0; i < count; i += 1) {
        if (length <= 9) {
          const shift = 9 - length;
          const first = code << shift;
          const entry = (length << 8) | symbols[index]!;
          for (let fill = 0; fill < 1 << shift; fill += 1) lookup[first + fill] = entry;
        }
        code += 1;
        index += 1;
      }
      maxCode[length] = code - 1;
      if (code > 1 << length) decline('invalid Huffman table (too many codes)');
    }
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  const fastRunLength = new Uint16Array(512);
  const fastValue = new Int16Array(512);
  for (let look = 0; look < 512; look += 1) {
    const entry = lookup[look]!;
    if (entry === 0) continue;
    const length = entry >> 8;
    const symbol = entry & 255;
    const size = symbol & 15;
    if (size === 0 || length + size > 9) continue;
    const raw = (look >> (9 - length - size)) & ((1 << size) - 1);
    fastValue[look] = raw < 1 << (size - 1) ? raw - (1 << size) + 1 : raw;
    fastRunLength[look] = ((symbol >> 4) << 8) | (length + size);
  }
  return { lookup, maxCode, offset, symbols, fastRunLength, fastValue };
}

/**
 * Decodes a Huffman code longer than the 9-bit look-up (rare): returns (code length << 8) | symbol. `bits` >= 16
 * holds: the caller refilled before looking up.
 */
export function decodeLongCode(table: HuffmanTable, accumulator: number, bits: number): number {
  for (let codeLength = 10; codeLength <= 16; codeLength += 1) {
    const code = (accumulator >>> (bits - codeLength)) & ((1 << codeLength) - 1);
    if (code <= table.maxCode[codeLength]!) {
      const symbol = table.symbols[table.offset[codeLength]! + code];
      if (symbol === undefined) break;
      return (codeLength << 8) | symbol;
    }
  }
  return decline('bad Huffman code');
}
