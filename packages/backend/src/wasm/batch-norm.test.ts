import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  prepareBackends,
  relativeError,
  runKernelOn,
  runKernelOnBoth,
  seededTensorData,
  type TensorData,
} from './test-support/backend-comparison.js';
import { setSimdModuleEnabled } from './simd-module.js';

/** Variances in [0.1, 2.1): positive, as batch norm gets them. */
function varianceData(shape: number[], seed: number): TensorData {
  const data = seededTensorData(shape, seed);
  return { shape, values: data.values.map((value) => value + 1.1) };
}

describe('FusedBatchNorm on wasm', () => {
  beforeAll(prepareBackends);

  it.each([
    { x: [16, 8, 8, 64], statistics: [64], offset: true, scale: true },
    { x: [16, 4, 4, 128], statistics: [128], offset: true, scale: true },
    { x: [4, 3, 3, 5], statistics: [1, 1, 1, 5], offset: true, scale: true },
    { x: [4, 3, 3, 5], statistics: [5], offset: false, scale: true },
    { x: [4, 3, 3, 5], statistics: [5], offset: true, scale: false },
    { x: [6, 7], statistics: [7], offset: false, scale: false },
    { x: [4, 3, 3, 8], statistics: [8], offset: false, scale: true },
    { x: [6, 12], statistics: [1, 12], offset: true, scale: false },
    // Statistics that are not per channel: the stock kernel.
    { x: [2, 3, 4], statistics: [2, 3, 4], offset: true, scale: true },
  ])('x $x, statistics $statistics (offset $offset, scale $scale) matches cpu', async (testCase) => {
    const inputs: Record<string, TensorData> = {
      x: seededTensorData(testCase.x, 51),
      mean: seededTensorData(testCase.statistics, 52),
      variance: varianceData(testCase.statistics, 53),
    };
    if (testCase.offset) inputs.offset = seededTensorData(testCase.statistics, 54);
    if (testCase.scale) inputs.scale = seededTensorData(testCase.statistics, 55);
    const { wasm, cpu } = await runKernelOnBoth('FusedBatchNorm', inputs, { varianceEpsilon: 1e-5 });
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-6);
  });

  it('gives the same bits in one pass of our wasm module as in three element-wise kernels', async () => {
    const inputs: Record<string, TensorData> = {
      x: seededTensorData([16, 8, 8, 64], 61),
      mean: seededTensorData([64], 62),
      variance: varianceData([64], 63),
      offset: seededTensorData([64], 64),
      scale: seededTensorData([64], 65),
    };
    const onePass = await runKernelOn('wasm', 'FusedBatchNorm', inputs, { varianceEpsilon: 1e-3 });
    setSimdModuleEnabled(false);
    try {
      const threeKernels = await runKernelOn('wasm', 'FusedBatchNorm', inputs, { varianceEpsilon: 1e-3 });
      expect(Array.from(onePass.values)).toEqual(Array.from(threeKernels.values));
    } finally {
      setSimdModuleEnabled(true);
    }
  });

  it('gives cpu’s gradients and frees everything it makes', async () => {
    const gradients = async (backendName: 'cpu' | 'wasm') => {
      await tf.setBackend(backendName);
      const x = tf.tensor(seededTensorData([8, 4, 4, 16], 61).values, [8, 4, 4, 16]);
      const [mean, offset, scale] = [62, 63, 64].map((seed) => tf.tensor(seededTensorData([16], seed).values));
      const variance = tf.tensor(varianceData([16], 65).values);
      const weights = tf.tensor(seededTensorData([8, 4, 4, 16], 66).values, [8, 4, 4, 16]);
      const before = tf.memory().numTensors;
      const grads = tf.grads((...inputs: tf.Tensor[]) =>
        tf.sum(tf.mul(tf.batchNorm(inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!, inputs[4]!, 1e-3), weights)),
      )([x, mean!, variance, offset!, scale!]);
      const values = await Promise.all(grads.map((gradient) => gradient.data()));
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, mean!, variance, offset!, scale!, weights]);
      return values;
    };
    const wasmBackend = tf.findBackend('wasm') as unknown as { numDataIds(): number };
    await tf.setBackend('wasm');
    const dataIds = wasmBackend.numDataIds();
    const wasm = await gradients('wasm');
    expect(wasmBackend.numDataIds()).toBe(dataIds);
    const cpu = await gradients('cpu');
    await tf.setBackend('wasm');
    for (const [index, values] of wasm.entries()) expect(relativeError(values, cpu[index]!)).toBeLessThan(1e-5);
  });
});
