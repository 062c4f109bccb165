/**
 * An independent 31-bit seed for one use of a user's seed (FNV-1a over the labels, then a murmur3
 * finaliser), so that e.g. neighbour noise and waypoints drawn with the same `--seed` are unrelated.
 * Never 0: tfjs treats a seed of 0 as "no seed" and would draw from Math.random.
 */
export function derivedSeed(seed: number, ...labels: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5;
  const text = ['dcgan-latent', String(seed), ...labels.map(String)].join('\u0000');
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
