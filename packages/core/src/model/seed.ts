import { DcganError } from '@dcgan/common';
/** Throws unless `seed` is a non-negative safe integer. */
export function validateSeed(seed: unknown, name = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new DcganError(`Expected \`${name}\` to be a non-negative integer, got \`${String(seed)}\``);
  }
  return seed;
}
