import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, relativeError, seededValues } from './test-support/backend-comparison.js';
import { createTinyDcgan, readWeights, writeWeights } from './test-support/tiny-dcgan.js';

const options = { imageSize: 16, baseWidth: 8, channels: 3, latentSize: 100 };
const batch = 4;
const real = seededValues(batch * 16 * 16 * 3, 31);
const noise = seededValues(batch * 100, 32);

/** Runs `steps` DCGAN steps on `backendName` from the given weights; returns losses and final weights. */
async function train(backendName: 'cpu' | 'wasm', initial: Float32Array[] | undefined, steps: number) {
  await tf.setBackend(backendName);
  const dcgan = createTinyDcgan(options);
  if (initial !== undefined) writeWeights(dcgan, initial);
  const start = readWeights(dcgan);
  const realTensor = tf.tensor4d(real, [batch, 16, 16, 3]);
  const noiseTensor = tf.tensor2d(noise, [batch, 100]);
  const losses = [];
  for (let step = 0; step < steps; step++) losses.push(dcgan.step(realTensor, noiseTensor));
  const weights = readWeights(dcgan);
  tf.dispose([realTensor, noiseTensor]);
  dcgan.dispose();
  return { start, losses, weights };
}

describe('a whole DCGAN training step on wasm', () => {
  beforeAll(prepareBackends);

  it('matches the same steps on cpu (same initial weights and data)', async () => {
    const wasm = await train('wasm', undefined, 3);
    const cpu = await train('cpu', wasm.start, 3);
    for (const [index, losses] of wasm.losses.entries()) {
      const expected = cpu.losses[index];
      expect(losses.discriminatorLoss).toBeCloseTo(expected?.discriminatorLoss ?? Number.NaN, 4);
      expect(losses.generatorLoss).toBeCloseTo(expected?.generatorLoss ?? Number.NaN, 4);
    }
    // Weights moved (Adam's first steps move each weight by about the learning rate)...
    const moved = wasm.weights.map((values, index) => relativeError(values, wasm.start[index] as Float32Array));
    expect(Math.max(...moved)).toBeGreaterThan(1e-3);
    // ...and the same way on both backends: the update differs by far less than one learning rate (2e-4); measured ~1e-8.
    for (const [index, values] of wasm.weights.entries()) {
      const expected = cpu.weights[index] as Float32Array;
      let largest = 0;
      for (let element = 0; element < values.length; element++)
        largest = Math.max(largest, Math.abs((values[element] as number) - (expected[element] as number)));
      expect(largest).toBeLessThan(1e-6);
    }
  });

  it('keeps the tensor count and the wasm heap steady across steps', async () => {
    await tf.setBackend('wasm');
    const dcgan = createTinyDcgan(options);
    const realTensor = tf.tensor4d(real, [batch, 16, 16, 3]);
    const noiseTensor = tf.tensor2d(noise, [batch, 100]);
    dcgan.step(realTensor, noiseTensor);
    dcgan.step(realTensor, noiseTensor);
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let step = 0; step < 5; step++) dcgan.step(realTensor, noiseTensor);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    tf.dispose([realTensor, noiseTensor]);
    dcgan.dispose();
  });
});
