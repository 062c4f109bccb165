// Scratch: thumbnail distances of planted pairs vs nearest distinct items, MNIST.
import { applyTransform, openMnistPackage, pad, toRgb } from '@dcgan/data';
import { makeThumbnail, plantNearDuplicates, thumbnailDistance } from '../dist/index.js';

const mnist = await openMnistPackage({ limitPerClass: 200 });
const originals = [];
for (let index = 0; index < mnist.length; index += 1) {
  const item = await mnist.readItem(index);
  originals.push({ key: item.key, label: item.label, image: await applyTransform(item.payload, [pad(32), toRgb()]) });
}
const { samples, planted } = await plantNearDuplicates(originals, { fraction: 0.1, seed: 3 });
for (const size of [16]) {
  for (const shift of [1]) {
    const channels = 3;
    const data = new Uint8Array(samples.length * size * size * channels);
    samples.forEach((sample, index) => data.set(makeThumbnail(sample.image, size, channels), index * size * size * channels));
    const thumbs = { data, size, channels };
    const options = { maximumDistance: 0, maximumShift: shift, maximumMeanChange: 0.3 };
    const byKind = {};
    for (const pair of planted) (byKind[pair.kind] ??= []).push(thumbnailDistance(thumbs, pair.original, pair.copy, options));
    const q = (values, f) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(f * s.length))]; };
    // Nearest distinct neighbour among originals (sampled 300 items x all).
    const copies = new Set(planted.map((pair) => pair.copy));
    const distinct = samples.map((_, index) => index).filter((index) => !copies.has(index));
    const nearest = [];
    for (let i = 0; i < 100; i += 1) {
      let best = Infinity;
      for (let j = 0; j < distinct.length; j += 1) if (j !== i) best = Math.min(best, thumbnailDistance(thumbs, distinct[i], distinct[j], options));
      nearest.push(best);
    }
    console.log(`size ${size} shift ${shift}: ` + Object.entries(byKind).map(([k, v]) => `${k} p50 ${q(v, 0.5).toFixed(4)} p95 ${q(v, 0.95).toFixed(4)} max ${q(v, 1).toFixed(4)}`).join('; ') + ` | nearest distinct: min ${q(nearest, 0).toFixed(4)} p1 ${q(nearest, 0.01).toFixed(4)} p5 ${q(nearest, 0.05).toFixed(4)} p50 ${q(nearest, 0.5).toFixed(4)}`);
  }
}
