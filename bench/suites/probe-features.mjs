// Linear-probe feature extraction speed (issue 6): images per second through @dcgan/probe's whole
// extraction path (item read, decode/transform, batching, D forward in inference mode, 4x4 max-pooling of
// every conv layer, copy to rows), on tfjs's wasm backend with @dcgan/backend's kernels, for the
// quickstart's D (32px, 1 channel, base width 32: 3,584 features) and a D with the paper's 28,672
// features (32px, 3 channels, base width 256); plus float16 store write + read-back throughput for the
// latter, and the tensor count before/after (no leaks). Random weights: speed does not depend on training.
// Wall-clock img/s and img per CPU-second are both given: on a shared machine the first measures the load.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'probe-features';

export async function run({ quick }) {
  const requireFromProbe = createRequire(join(root, 'packages', 'probe', 'package.json'));
  const tf = requireFromProbe('@tensorflow/tfjs-core');
  const { initBackend } = await import(join(root, 'packages', 'backend', 'dist', 'index.js'));
  const { createDiscriminator } = await import(join(root, 'packages', 'core', 'dist', 'index.js'));
  const { createMemorySource } = await import(join(root, 'packages', 'data', 'dist', 'index.js'));
  const probe = await import(join(root, 'packages', 'probe', 'dist', 'index.js'));
  const selection = await initBackend({ prefer: 'wasm' });
  const rows = [];
  const configurations = [
    {
      name: 'quickstart D (32px, 1 channel, base 32)',
      config: { imageSize: 32, channels: 1, baseWidth: 32 },
      images: quick ? 256 : 2048,
    },
    {
      name: 'paper-size D (32px, 3 channels, base 256)',
      config: { imageSize: 32, channels: 3, baseWidth: 256 },
      images: quick ? 64 : 512,
      store: true,
    },
  ];
  for (const { name, config, images, store } of configurations) {
    const source = randomSource(createMemorySource, images, config.channels);
    const discriminator = createDiscriminator(config, { seed: 1 });
    const extractor = await probe.createDiscriminatorExtractor(discriminator, { batchNorm: 'stored' });
    // Warm-up batch (kernel compilation, XNNPACK packing) outside the timing.
    await probe.extractFeatures(extractor, { source, indices: [0, 1, 2, 3] }, { batchSize: 4 });
    const tensorsBefore = tf.memory().numTensors;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const result = await probe.extractFeatures(extractor, { source }, { batchSize: 64 });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const tensorsAfter = tf.memory().numTensors;
    rows.push({
      suite,
      name: `extract ${name}`,
      value: images / seconds,
      unit: 'img/s',
      note: `${selection.tfjsBackend}, batch 64, ${images} images, ${result.features.columnCount} features; tensors ${tensorsBefore} -> ${tensorsAfter}`,
    });
    // The machines are shared: images per CPU-second is what one free core would give.
    rows.push({
      suite,
      name: `extract ${name}, per CPU-second`,
      value: images / cpuSeconds,
      unit: 'img/CPU-s',
      note: `${cpuSeconds.toFixed(1)} CPU s for ${seconds.toFixed(1)} s wall`,
    });
    if (store) {
      const directory = mkdtempSync(join(tmpdir(), 'dcgan-probe-store-'));
      try {
        const pixels = probe.createPixelExtractor([32, 32, 3]);
        // Time the float16 encode + write of the D features already in memory, through a tiny extractor that
        // hands them back (so the forward pass is not timed twice).
        const replay = replayExtractor(tf, result.features, extractor);
        const writeStart = performance.now();
        await probe.extractFeatures(
          replay,
          { source },
          { batchSize: 64, directory: join(directory, 'store'), chunkItems: 256 },
        );
        const writeSeconds = (performance.now() - writeStart) / 1000;
        const readStart = performance.now();
        const read = await probe.readFeatureStore(join(directory, 'store'));
        const readSeconds = (performance.now() - readStart) / 1000;
        const bytes = read.features.rowCount * read.features.columnCount * 2;
        rows.push(
          {
            suite,
            name: 'float16 store: write (with batching) 28,672-dim rows',
            value: images / writeSeconds,
            unit: 'rows/s',
            note: `${(bytes / 2 ** 20).toFixed(0)} MiB on disk; 50,000 rows = ${((50_000 * 28_672 * 2) / 2 ** 30).toFixed(2)} GiB`,
          },
          {
            suite,
            name: 'float16 store: read into float32 rows',
            value: bytes / 2 ** 20 / readSeconds,
            unit: 'MiB/s',
            note: `${images} rows`,
          },
        );
        pixels.dispose();
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    }
    extractor.dispose();
    discriminator.dispose();
  }
  return rows;
}

function randomSource(createMemorySource, count, channels) {
  let state = 12345;
  const samples = Array.from({ length: count }, (_, index) => {
    const data = new Uint8Array(32 * 32 * channels);
    for (let offset = 0; offset < data.length; offset++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      data[offset] = state >>> 24;
    }
    return { key: `random/${index}`, label: index % 10, image: { width: 32, height: 32, channels, data } };
  });
  return createMemorySource(samples, { description: `${count} random ${channels}-channel images` });
}

function replayExtractor(tf, features, like) {
  let row = 0;
  return {
    name: 'replay',
    dimension: features.columnCount,
    inputShape: like.inputShape,
    fingerprint: 'replay',
    extract: (images) => {
      const count = images.shape[0];
      const values = new Float32Array(count * features.columnCount);
      for (let index = 0; index < count; index++) values.set(features.row(row++), index * features.columnCount);
      return tf.tensor2d(values, [count, features.columnCount]);
    },
    dispose: () => {},
  };
}
