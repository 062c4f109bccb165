import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, seededValues } from '../test-support/backend-comparison.js';
import { createTinyDcgan, readWeights, writeWeights } from '../test-support/tiny-dcgan.js';
import { setMinimumSplitFlops, splitKernelWorker } from './split-convolution.js';
import { setWasmTrainingThreads } from './wasm-training-threads.js';

const options = { imageSize: 16, baseWidth: 8, channels: 3, latentSize: 100 };
const batch = 4;
const real = seededValues(batch * 16 * 16 * 3, 41);
const noise = seededValues(batch * 100, 42);

async function train(threads: 1 | 2, initial: Float32Array[] | undefined, steps: number) {
  await setWasmTrainingThreads(threads);
  await tf.setBackend('wasm');
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

describe('a DCGAN training step on two wasm threads', () => {
  beforeAll(async () => {
    await prepareBackends();
    // Split every convolution with a batch, however small, so that this tiny model exercises the worker.
    setMinimumSplitFlops(0);
  });
  afterAll(async () => {
    setMinimumSplitFlops();
    await setWasmTrainingThreads(1);
  });

  it('gives the same losses and weights, bit for bit, as one thread', async () => {
    const single = await train(1, undefined, 3);
    await setWasmTrainingThreads(2);
    const requestsBefore = splitKernelWorker()?.requests ?? 0;
    const split = await train(2, single.start, 3);
    // Every convolution of D and G (forward, input and filter gradients) went through the worker.
    expect((splitKernelWorker()?.requests ?? 0) - requestsBefore).toBeGreaterThan(3 * 10);
    expect(split.losses).toEqual(single.losses);
    for (const [index, values] of split.weights.entries()) expect(values).toEqual(single.weights[index]);
  });

  it('keeps the tensor count and the wasm heap steady across steps', async () => {
    await setWasmTrainingThreads(2);
    await tf.setBackend('wasm');
    const dcgan = createTinyDcgan(options);
    const realTensor = tf.tensor4d(real, [batch, 16, 16, 3]);
    const noiseTensor = tf.tensor2d(noise, [batch, 100]);
    dcgan.step(realTensor, noiseTensor);
    dcgan.step(realTensor, noiseTensor);
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const held = splitKernelWorker()?.cachedInputs;
    for (let step = 0; step < 5; step++) dcgan.step(realTensor, noiseTensor);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    expect(splitKernelWorker()?.cachedInputs).toBe(held);
    tf.dispose([realTensor, noiseTensor]);
    dcgan.dispose();
  });
});
