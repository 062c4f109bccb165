#!/usr/bin/env node
// Times @dcgan/core Trainer steps on one backend in a fresh process, for bench suites that compare settings
// or tools side by side (each run in its own process, so each gets a fresh tfjs engine and wasm heap).
//
// usage: node bench/train-steps.mjs IMAGE_SIZE BASE_WIDTH BATCH WASM_THREADS STEPS WARMUP
// prints one JSON line: { backend, threads, seconds: [per-step wall seconds], cpuMillisecondsPerStep }
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [imageSize, baseWidth, batchSize, threads, steps, warmup] = process.argv.slice(2, 8).map(Number);
const tf = createRequire(join(root, 'packages', 'backend', 'package.json'))('@tensorflow/tfjs-core');
const { initBackend, wasmTrainingThreads } = await import(join(root, 'packages', 'backend', 'dist', 'index.js'));
const { Trainer } = await import(join(root, 'packages', 'core', 'dist', 'index.js'));

const selection = await initBackend({ prefer: 'wasm', wasmThreads: threads });
const trainer = new Trainer({ config: { imageSize, channels: 3, baseWidth }, batchSize, seed: 1 });
const real = tf.tidy(() =>
  tf.sub(tf.mul(tf.randomUniform([batchSize, imageSize, imageSize, 3], 0, 1, 'float32', 7), 2), 1),
);
for (let step = 0; step < warmup; step++) await trainer.step(real);
const seconds = [];
const cpuBefore = process.cpuUsage();
for (let step = 0; step < steps; step++) {
  const began = performance.now();
  await trainer.step(real);
  seconds.push((performance.now() - began) / 1000);
}
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    backend: selection.tfjsBackend,
    threads: wasmTrainingThreads(),
    seconds,
    cpuMillisecondsPerStep: (cpu.user + cpu.system) / 1000 / steps,
  }),
);
