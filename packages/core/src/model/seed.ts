import { DcganError } from '../errors/dcgan-error';

/** Throws unless `seed` is a non-negative safe integer. */
export function validateSeed(seed: unknown, name = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new DcganError(`Expected \`${name}\` to be a non-negative integer, got \`${String(seed)}\``);
  }
  return seed;
}

/**
 * Derives an independent 31-bit seed from a run seed and a path of labels (FNV-1a then a murmur3 finaliser).
 * Never returns 0: tfjs treats a seed of 0 as "no seed" and would draw from Math.random.
 */
export function deriveSeed(seed: number, ...labels: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5;
  const text = [String(seed), ...labels.map(String)].join('\u0000');
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  const positive = hash & 0x7fffffff;
  return positive === 0 ? 1 : positive;
}
