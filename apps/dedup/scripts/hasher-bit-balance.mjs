// Bit balance of semantic hashers on cached evaluation sets (see evaluate-kinds.mjs): constant bits, mean |p - 0.5|
// over bits (0 = every bit splits the images in half, 0.5 = constant), distinct codes and the largest code bucket.
//
//   node apps/dedup/scripts/hasher-bit-balance.mjs <cache-dir> <set> <hasher.bin>...
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { initBackend } from '@dcgan/backend';
import { loadSemanticHasher } from '@dcgan/dedup';

const [cache, set, ...hashers] = process.argv.slice(2);
if (hashers.length === 0) throw new Error('usage: hasher-bit-balance.mjs <cache-dir> <set> <hasher.bin>...');
await initBackend();
const meta = JSON.parse(await readFile(join(cache, `${set}.json`), 'utf8'));
const data = await readFile(join(cache, `${set}.rgb`));
const images = meta.keys.map((_, index) => ({
  width: 32,
  height: 32,
  channels: 3,
  data: new Uint8Array(data.buffer, data.byteOffset + index * 3072, 3072),
}));
for (const path of hashers) {
  const hasher = await loadSemanticHasher(path);
  const codes = [];
  for (let start = 0; start < images.length; start += 512)
    codes.push(await hasher.hashImages(images.slice(start, start + 512)));
  const all = Buffer.concat(codes);
  const bytes = hasher.codeBits / 8;
  let constant = 0;
  let imbalance = 0;
  for (let bit = 0; bit < hasher.codeBits; bit += 1) {
    let ones = 0;
    for (let item = 0; item < images.length; item += 1) ones += (all[item * bytes + (bit >> 3)] >> (bit & 7)) & 1;
    if (ones === 0 || ones === images.length) constant += 1;
    imbalance += Math.abs(ones / images.length - 0.5);
  }
  const buckets = new Map();
  for (let item = 0; item < images.length; item += 1) {
    const key = all.subarray(item * bytes, (item + 1) * bytes).toString('hex');
    buckets.set(key, (buckets.get(key) ?? 0) + 1);
  }
  const line = {
    hasher: path,
    normalisation: hasher.architecture.inputNormalisation,
    set,
    images: images.length,
    constantBits: constant,
    codeBits: hasher.codeBits,
    meanImbalance: Number((imbalance / hasher.codeBits).toFixed(3)),
    distinctCodes: buckets.size,
    largestBucket: Math.max(...buckets.values()),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  hasher.dispose();
}
