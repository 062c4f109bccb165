/**
 * Hashes any number of integers into one 32-bit seed, to derive per-epoch and per-item streams from one run
 * seed (so that epoch 3's order does not depend on having run epochs 0-2). Values beyond 32 bits are folded
 * in through both halves.
 *
 * @example
 * const epochRandom = createSeededRandom(mixSeed(seed, epoch));
 */
export function mixSeed(...values: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const value of values) {
    const low = value >>> 0;
    const high = Math.floor(value / 4294967296) >>> 0;
    hash = Math.imul(hash ^ low, 0x01000193) >>> 0;
    hash = Math.imul(hash ^ high, 0x01000193) >>> 0;
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0x5bd1e995) >>> 0;
    hash ^= hash >>> 15;
  }
  return hash >>> 0;
}

/**
 * An independent 31-bit seed for one named use of a run seed (FNV-1a over the parts joined by NUL, then a
 * murmur3 finaliser), for the seed argument of tfjs random ops and initializers. Never returns 0: tfjs treats
 * a seed of 0 as "no seed" and would draw from Math.random.
 *
 * @example
 * tf.randomUniform([16, 100], -1, 1, 'float32', deriveSeed(seed, 'latent'));
 */
export function deriveSeed(...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5;
  const text = parts.map(String).join('\u0000');
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
