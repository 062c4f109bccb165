import { Trainer, type TrainerState } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, seededValues } from './test-support/backend-comparison.js';
import { largestDifference } from '../test-support/trainer-state-difference.js';

// A whole @dcgan/core Trainer step at 32px (its batch norm, LeakyReLU and dense layers with their own
// gradients, on our kernels) on wasm against the same step on tfjs's cpu backend, from the same state.
const config = { imageSize: 32, channels: 3 as const, latentDim: 100, baseWidth: 8, kernelSize: 4 as const };
const batchSize = 8;
const realValues = seededValues(batchSize * 32 * 32 * 3, 51);

async function stepsOn(backendName: 'cpu' | 'wasm', state: TrainerState, steps: number) {
  await tf.setBackend(backendName);
  const trainer = await Trainer.fromState(state);
  const real = tf.tensor4d(realValues, [batchSize, 32, 32, 3]);
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const result = await trainer.step(real);
      losses.push(result.discriminatorLoss, result.generatorLoss);
      tensorCounts.push(tf.memory().numTensors);
    }
    return { state: await trainer.getState(), losses, tensorCounts };
  } finally {
    real.dispose();
    trainer.dispose();
  }
}

describe('a whole 32px DCGAN Trainer step on wasm', () => {
  let initial: TrainerState;

  beforeAll(async () => {
    await prepareBackends();
    await tf.setBackend('cpu');
    const trainer = new Trainer({ config, batchSize, seed: 7 });
    initial = await trainer.getState();
    trainer.dispose();
  });

  it('moves every weight as the same steps on cpu do, without leaking tensors', async () => {
    const wasm = await stepsOn('wasm', initial, 3);
    const cpu = await stepsOn('cpu', initial, 3);
    // The steps moved the weights (Adam moves each by about the learning rate, 2e-4, per step)...
    expect(largestDifference(wasm.state, initial, ['generator', 'discriminator'])).toBeGreaterThan(1e-4);
    // ...and by the same amounts on both backends.
    expect(largestDifference(wasm.state, cpu.state)).toBeLessThan(1e-5);
    for (const [index, loss] of wasm.losses.entries()) expect(loss).toBeCloseTo(cpu.losses[index]!, 4);
    expect(new Set(wasm.tensorCounts.slice(1)).size).toBe(1);
  });
});
