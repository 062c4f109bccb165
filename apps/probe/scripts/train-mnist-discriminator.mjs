#!/usr/bin/env node
// Trains the quickstart's DCGAN (32px, 1 channel, base width 32, batch 64, the paper's Adam settings) on the
// TRAINING part of dcgan-probe's MNIST split only (the 6,000 digits that are pool + validation; the 4,000
// test digits are never seen), on the wasm backend, and saves a checkpoint for `dcgan-probe`. The
// quickstart itself trains on all 10,000 digits, so its D has seen the probe's test images (without labels).
//
//   node apps/probe/scripts/train-mnist-discriminator.mjs --out runs/probe-train-split-d [--steps 1200] [--seed 1]
import { parseArgs } from 'node:util';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@dcgan/backend';
import { Trainer } from '@dcgan/core';
import { saveCheckpoint } from '@dcgan/core/node';
import { batchToTensor, createBatches, subsetSource } from '@dcgan/data';

import { openProbeData } from '../dist/run-probe-command.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    'split-seed': { type: 'string' },
  },
});
if (values.out === undefined) throw new Error('Expected --out <run directory>');
const steps = Number(values.steps ?? 1200);
const seed = Number(values.seed ?? 1);
const config = { imageSize: 32, channels: 1, latentDim: 100, baseWidth: 32, kernelSize: 4 };

const selection = await initBackend({ prefer: 'wasm' });
process.stderr.write(`backend: ${selection.name}\n`);
// The same split dcgan-probe --dataset mnist makes (seed 0, 4,000 test digits).
const data = await openProbeData(
  'mnist',
  { data: null, testData: null, testSize: 4000, seed: Number(values['split-seed'] ?? 0) },
  32,
  1,
);
const source = subsetSource(data.train.source, data.train.indices, 'MNIST training split of dcgan-probe');
const trainer = new Trainer({ config, batchSize: 64, seed });
const started = performance.now();
let step = 0;
for (let epoch = 0; step < steps; epoch++) {
  trainer.epoch = epoch;
  for await (const batch of createBatches(source, { batchSize: 64, transform: data.train.transform, seed, epoch })) {
    const images = batchToTensor(tf, batch);
    const result = await trainer.step(images);
    images.dispose();
    step = result.step;
    if (step % 50 === 0 || step === steps) {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `step ${step}/${steps} epoch ${epoch} D ${result.discriminatorLoss.toFixed(3)} G ${result.generatorLoss.toFixed(3)} D(x) ${result.realScore.toFixed(2)} D(G(z)) ${result.fakeScore.toFixed(2)} | ${((step * 64) / seconds).toFixed(1)} img/s\n`,
      );
    }
    if (step % 300 === 0) await saveCheckpoint(join(values.out, 'checkpoint'), trainer);
    if (step >= steps) break;
  }
}
await saveCheckpoint(join(values.out, 'checkpoint'), trainer);
process.stderr.write(
  `saved ${join(values.out, 'checkpoint')} after ${step} steps in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
);
trainer.dispose();
