import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Trainer, type TrainerState } from '@dcgan/core';
import { loadCheckpoint, saveCheckpoint } from '@dcgan/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { describeWebGpu, seededValues, type ComparedBackend } from './test-support/webgpu-tests.js';
import { largestDifference } from '../test-support/trainer-state-difference.js';

// A whole @dcgan/core Trainer step at 32px (G and D as the paper builds them, Adam lr 2e-4, beta1 0.5) on
// webgpu against the same step on cpu and wasm, from the same weights and data.
const config = { imageSize: 32, channels: 3 as const, latentDim: 100, baseWidth: 16, kernelSize: 4 as const };
const batchSize = 8;
const realValues = seededValues(batchSize * 32 * 32 * 3, 41);
// lavapipe compiles every shader on the CPU at the first step (over a minute on a busy 2-core machine) and runs
// a step in seconds: these tests get more time than the shared default.
const slow = 900_000;

/** Restores `state` on `backendName`, runs `steps` steps on the fixed real batch, and returns the new state. */
async function stepsOn(
  backendName: ComparedBackend,
  state: TrainerState,
  steps: number,
): Promise<{ state: TrainerState; losses: number[] }> {
  await tf.setBackend(backendName);
  const trainer = await Trainer.fromState(state);
  const real = tf.tensor4d(realValues, [batchSize, 32, 32, 3]);
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const result = await trainer.step(real);
      losses.push(result.discriminatorLoss, result.generatorLoss);
    }
    return { state: await trainer.getState(), losses };
  } finally {
    real.dispose();
    trainer.dispose();
  }
}

describeWebGpu('a whole 32px DCGAN Trainer step on webgpu', () => {
  let initial: TrainerState;
  let directory: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const trainer = new Trainer({ config, batchSize, seed: 5 });
    initial = await trainer.getState();
    trainer.dispose();
    directory = await mkdtemp(join(tmpdir(), 'dcgan-webgpu-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it(
    'moves every weight as the same step on cpu does (within 1e-4)',
    async () => {
      const webgpu = await stepsOn('webgpu', initial, 1);
      const cpu = await stepsOn('cpu', initial, 1);
      // The step moved the weights (Adam's first step moves each by about the learning rate, 2e-4)...
      expect(largestDifference(webgpu.state, initial, ['generator', 'discriminator'])).toBeGreaterThan(1e-4);
      // ...and by the same amounts on both backends.
      expect(largestDifference(webgpu.state, cpu.state)).toBeLessThan(1e-4);
      for (const [index, loss] of webgpu.losses.entries()) expect(loss).toBeCloseTo(cpu.losses[index]!, 4);
    },
    slow,
  );

  it(
    'keeps tf.memory().numTensors and numBytesInGPU steady over 50 steps',
    async () => {
      await tf.setBackend('webgpu');
      const trainer = await Trainer.fromState(initial);
      const real = tf.tensor4d(realValues, [batchSize, 32, 32, 3]);
      try {
        for (let step = 0; step < 2; step++) await trainer.step(real);
        const before = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
        expect(before.numBytesInGPU).toBeGreaterThan(0);
        const counts: number[] = [];
        const bytes: number[] = [];
        for (let step = 0; step < 50; step++) {
          await trainer.step(real);
          const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
          counts.push(memory.numTensors);
          bytes.push(memory.numBytesInGPU!);
        }
        expect(new Set(counts)).toEqual(new Set([before.numTensors]));
        expect(new Set(bytes)).toEqual(new Set([before.numBytesInGPU]));
      } finally {
        real.dispose();
        trainer.dispose();
      }
    },
    slow,
  );

  it(
    'writes a checkpoint on webgpu that resumes on wasm, and the other way round',
    async () => {
      // Two steps on webgpu, saved; loaded on wasm it holds exactly the same state and trains on as webgpu does.
      await tf.setBackend('webgpu');
      const onWebGpu = await Trainer.fromState(initial);
      const real = tf.tensor4d(realValues, [batchSize, 32, 32, 3]);
      await onWebGpu.step(real);
      await onWebGpu.step(real);
      real.dispose();
      const saved = await onWebGpu.getState();
      await saveCheckpoint(join(directory, 'from-webgpu'), onWebGpu);
      onWebGpu.dispose();

      await tf.setBackend('wasm');
      const onWasm = await loadCheckpoint(join(directory, 'from-webgpu'));
      const loadedOnWasm = await onWasm.getState();
      expect(loadedOnWasm.completedSteps).toBe(2);
      expect(largestDifference(loadedOnWasm, saved)).toBe(0);
      const wasmReal = tf.tensor4d(realValues, [batchSize, 32, 32, 3]);
      await onWasm.step(wasmReal);
      wasmReal.dispose();
      await saveCheckpoint(join(directory, 'from-wasm'), onWasm);
      const afterWasmStep = await onWasm.getState();
      onWasm.dispose();

      const continuedOnWebGpu = await stepsOn('webgpu', saved, 1);
      expect(largestDifference(afterWasmStep, continuedOnWebGpu.state)).toBeLessThan(1e-4);

      // Back: the wasm checkpoint loads on webgpu exactly and trains on as wasm does.
      await tf.setBackend('webgpu');
      const back = await loadCheckpoint(join(directory, 'from-wasm'));
      const loadedOnWebGpu = await back.getState();
      back.dispose();
      expect(loadedOnWebGpu.completedSteps).toBe(3);
      expect(largestDifference(loadedOnWebGpu, afterWasmStep)).toBe(0);
      const nextOnWebGpu = await stepsOn('webgpu', loadedOnWebGpu, 1);
      const nextOnWasm = await stepsOn('wasm', afterWasmStep, 1);
      expect(largestDifference(nextOnWebGpu.state, nextOnWasm.state)).toBeLessThan(1e-4);
    },
    slow,
  );
});
