// scratch (not committed): distances of planted vs false candidate pairs per measure
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '@dcgan/backend';
import { applyTransform, createMemorySource, openMnistPackage, pad, toRgb } from '@dcgan/data';
import { findDuplicateGroups, hashSource, loadSemanticHasher, plantNearDuplicates, thumbnailDistance, resolveVerification } from '@dcgan/dedup';
const [cache, hasherDir, which] = process.argv.slice(2);
await initBackend();
async function readCached(name, filter) {
  const meta = JSON.parse(await readFile(join(cache, `${name}.json`), 'utf8'));
  const data = await readFile(join(cache, `${name}.rgb`));
  return meta.keys.map((key, index) => ({ key, label: undefined, image: { width: 32, height: 32, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset + index * 3072, 3072) } })).filter((s) => !filter || filter(s.key));
}
function uniqueByPixels(samples) { const seen = new Set(); return samples.filter((s) => { const k = Buffer.from(s.image.data).toString('base64'); if (seen.has(k)) return false; seen.add(k); return true; }); }
let originals, hasherFile, seed;
if (which === 'mnist') {
  const m = await openMnistPackage(); originals = [];
  for (let i = 0; i < m.length; i += 1) { const it = await m.readItem(i); originals.push({ key: it.key, label: it.label, image: await applyTransform(it.payload, [pad(32), toRgb()]) }); }
  hasherFile = 'hasher-mnist.bin'; seed = 11;
} else if (which === 'breeze') { originals = await readCached('icons-train', (k) => /\/breeze\/[^/]+\/22\//.test(k)); hasherFile = 'hasher-icons-20000.bin'; seed = 14; }
else if (which === 'papirus') { originals = await readCached('papirus-64'); hasherFile = 'hasher-icons-20000.bin'; seed = 12; }
else { originals = await readCached('clipart'); hasherFile = 'hasher-icons-20000.bin'; seed = 13; }
const base = uniqueByPixels(originals);
const { samples, planted } = await plantNearDuplicates(base, { fraction: 0.05, seed });
const hasher = await loadSemanticHasher(join(hasherDir, hasherFile));
const hashes = await hashSource(createMemorySource(samples), hasher, { transform: [], shiftProbes: 2 });
const truth = new Map(planted.map((p) => [`${Math.min(p.original, p.copy)}/${Math.max(p.original, p.copy)}`, p.kind]));
// hard negatives: star pairs of unverified grouping at a wide setting, no bucket limit
const pairs = new Map();
for (const setting of [{ radius: 3, probeRadius: 2 }, { radius: 0, probeRadius: 0 }, { radius: 2, probeRadius: 1 }]) {
  const g = findDuplicateGroups({ ...hashes, thumbnails: undefined }, { ...setting, maximumBucketSize: 64 });
  for (let group = 0; group < g.groupCount; group += 1) {
    const m = Array.from(g.members.subarray(g.groupStarts[group], g.groupStarts[group + 1]), (p) => hashes.indices[p]);
    for (const other of m.slice(1)) { const k = `${Math.min(m[0], other)}/${Math.max(m[0], other)}`; if (!truth.has(k)) pairs.set(k, [m[0], other]); }
  }
  if (pairs.size > 20000) break;
}
const negatives = [...pairs.values()].slice(0, 6000);
const positions = new Map(); hashes.indices.forEach((item, pos) => positions.set(item, pos));
const th = hashes.thumbnails;
const out = {};
for (const tolerance of [0, 8, 12, 16, 24]) {
  const opt = resolveVerification({ backgroundTolerance: tolerance });
  const t0 = performance.now();
  const pos = planted.map((p) => ({ kind: p.kind, d: thumbnailDistance(th, positions.get(p.original), positions.get(p.copy), opt) }));
  const neg = negatives.map(([a, b]) => thumbnailDistance(th, positions.get(a), positions.get(b), opt));
  const ms = (performance.now() - t0) / (pos.length + neg.length);
  const row = { msPerPair: ms.toFixed(3) };
  for (const t of [0.01, 0.02, 0.03, 0.04, 0.05, 0.08, 0.12]) row[t] = `R ${(pos.filter((x) => x.d <= t).length / pos.length).toFixed(3)} FA ${(neg.filter((x) => x <= t).length / neg.length).toFixed(4)}`;
  const kinds = {}; for (const k of ['jpeg', 'shift', 'brightness', 'exact']) { const ds = pos.filter((x) => x.kind === k).map((x) => x.d).sort((a, b) => a - b); kinds[k] = `p50 ${ds[ds.length >> 1]?.toFixed(4)} p90 ${ds[Math.floor(ds.length * 0.9)]?.toFixed(4)} max ${ds[ds.length - 1]?.toFixed(4)}`; }
  row.kinds = kinds;
  out[tolerance] = row;
}
console.log(JSON.stringify({ which, planted: planted.length, negatives: negatives.length, out }, null, 1));
