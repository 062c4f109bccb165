// Trains the small generator that the explorer's browser test loads (test/fixtures/generator):
// 16px gray MNIST digits, base width 16, 32-d latent space, on the fastest backend here (wasm).
// Run from apps/explorer after building the workspace:  node scripts/make-test-generator.mjs [steps]
import { fileURLToPath } from 'node:url';

import { initBackend } from '@dcgan/backend';
import { Trainer, sampleGrid, sampleLatent } from '@dcgan/core';
import { exportGenerator } from '@dcgan/core/node';
import { batchToTensor, createBatches, openMnistPackage, pad, resize, toGrayscale, writePng } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';

const steps = Number(process.argv[2] ?? 600);
const backend = await initBackend();
console.log(`backend: ${backend.name}`);
const trainer = new Trainer({
  config: { imageSize: 16, channels: 1, baseWidth: 16, latentDim: 32 },
  batchSize: 32,
  seed: 7,
});
const source = await openMnistPackage();
const started = Date.now();
for (let epoch = 0; trainer.completedSteps < steps; epoch++) {
  for await (const batch of createBatches(source, {
    batchSize: 32,
    transform: [pad(32), resize(16), toGrayscale()],
    seed: 7,
    epoch,
  })) {
    const images = batchToTensor(tf, batch);
    const result = await trainer.step(images);
    images.dispose();
    if (trainer.completedSteps % 50 === 0) {
      console.log(
        `step ${trainer.completedSteps}: D ${result.discriminatorLoss.toFixed(3)} G ${result.generatorLoss.toFixed(3)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
    if (trainer.completedSteps >= steps) break;
  }
}
await source.close();
const directory = fileURLToPath(new URL('../test/fixtures/generator', import.meta.url));
await exportGenerator(directory, trainer.generator);
const z = sampleLatent(36, 32, 1);
await writePng(
  fileURLToPath(new URL('../test/fixtures/generator-samples.png', import.meta.url)),
  await sampleGrid(trainer.generator, z, { columns: 6 }),
);
z.dispose();
console.log(`wrote ${directory} after ${steps} steps`);
