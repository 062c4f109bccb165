import { createSeededRandom } from '@dcgan/data';

import { codeBytesOf } from '../group/binary-code';

/**
 * `count` random codes in which some items are copies of earlier ones with up to `maximumFlips` bits flipped, so
 * that exact and near matches both occur. Deterministic for a seed.
 */
export function plantedRandomCodes(
  count: number,
  codeBits: number,
  seed: number,
  maximumFlips: number,
  copyFraction = 0.3,
): Uint8Array {
  const random = createSeededRandom(seed);
  const codeBytes = codeBytesOf(codeBits);
  const codes = new Uint8Array(count * codeBytes);
  for (let item = 0; item < count; item += 1) {
    if (item > 0 && random() < copyFraction) {
      const source = Math.floor(random() * item);
      codes.copyWithin(item * codeBytes, source * codeBytes, (source + 1) * codeBytes);
      const flips = Math.floor(random() * (maximumFlips + 1));
      for (let flip = 0; flip < flips; flip += 1) {
        const bit = Math.floor(random() * codeBits);
        const at = item * codeBytes + (bit >> 3);
        codes[at] = codes[at]! ^ (1 << (bit & 7));
      }
    } else {
      for (let bit = 0; bit < codeBits; bit += 1) {
        const at = item * codeBytes + (bit >> 3);
        if (random() < 0.5) codes[at] = codes[at]! | (1 << (bit & 7));
      }
    }
  }
  return codes;
}
