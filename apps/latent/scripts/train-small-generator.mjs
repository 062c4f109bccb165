// Trains a small 32px MNIST DCGAN with @dcgan/core's Trainer on the fastest backend here (wasm), for
// trying dcgan-latent and the explorer when no quickstart run is at hand. Writes a dcgan-train-like run
// folder: checkpoint/ (every 250 steps and at the end), generator/ and samples/.
//   node scripts/train-small-generator.mjs <out folder> [steps=1500]
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { initBackend } from '@dcgan/backend';
import { Trainer, sampleGrid } from '@dcgan/core';
import { exportGenerator, saveCheckpoint } from '@dcgan/core/node';
import { batchToTensor, createBatches, openMnistPackage, pad, toGrayscale, writePng } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';

const out = resolve(process.argv[2] ?? 'runs/small-mnist');
const steps = Number(process.argv[3] ?? 1500);
const backend = await initBackend();
const trainer = new Trainer({
  config: { imageSize: 32, channels: 1, baseWidth: 16, latentDim: 100 },
  batchSize: 32,
  seed: 1,
});
const source = await openMnistPackage();
await mkdir(join(out, 'samples'), { recursive: true });
const started = Date.now();
const sample = async () => {
  const grid = await sampleGrid(trainer.generator, trainer.fixedNoise(), { columns: 8 });
  await writePng(join(out, 'samples', `step-${String(trainer.completedSteps).padStart(6, '0')}.png`), grid);
};
console.log(`backend ${backend.name}; training 32px gray, base width 16, batch 32 for ${steps} steps -> ${out}`);
for (let epoch = 0; trainer.completedSteps < steps; epoch++) {
  for await (const batch of createBatches(source, {
    batchSize: 32,
    transform: [pad(32), toGrayscale()],
    seed: 1,
    epoch,
  })) {
    const images = batchToTensor(tf, batch);
    const result = await trainer.step(images);
    images.dispose();
    if (trainer.completedSteps % 50 === 0) {
      console.log(
        `step ${trainer.completedSteps} (epoch ${epoch}): D ${result.discriminatorLoss.toFixed(3)} G ${result.generatorLoss.toFixed(3)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
    if (trainer.completedSteps % 250 === 0 || trainer.completedSteps >= steps) {
      await saveCheckpoint(join(out, 'checkpoint'), trainer);
      await sample();
    }
    if (trainer.completedSteps >= steps) break;
  }
}
await source.close();
await exportGenerator(join(out, 'generator'), trainer.generator);
console.log(`done: ${trainer.completedSteps} steps in ${((Date.now() - started) / 1000).toFixed(0)} s`);
