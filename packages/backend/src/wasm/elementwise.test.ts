import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { clearWasmTrainingKernelCaches } from './index.js';
import {
  prepareBackends,
  relativeError,
  runKernelOnBoth,
  seededTensorData,
} from './test-support/backend-comparison.js';
import { originalWasmKernels } from './wasm-kernel-toolkit.js';

describe('LeakyRelu on wasm', () => {
  beforeAll(prepareBackends);

  it.each([
    [[16, 8, 8, 64], 0.2],
    [[2, 3], 0.01],
    [[5], 1.5],
    [[1, 1, 1, 1], 0.2],
  ] as const)('shape %j, alpha %d: the stock kernel bit for bit, and cpu', async (shape, alpha) => {
    const data = seededTensorData([...shape], 41);
    const { wasm, cpu } = await runKernelOnBoth('LeakyRelu', { x: data }, { alpha });
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-6);
    const backend = tf.backend();
    const x = tf.tensor(data.values, data.shape);
    const stock = originalWasmKernels
      .get('LeakyRelu')!
      .kernelFunc({ inputs: { x }, backend, attrs: { alpha } }) as tf.TensorInfo;
    const stockValues = backend.readSync(stock.dataId) as Float32Array;
    expect(Array.from(wasm.values)).toEqual(Array.from(stockValues));
    backend.disposeData(stock.dataId);
    x.dispose();
  });

  it('keeps one slope tensor per slope and width, freed by clearWasmTrainingKernelCaches', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    clearWasmTrainingKernelCaches();
    const before = backend.numDataIds();
    const x = tf.ones([2, 4, 4, 8]);
    for (let repeat = 0; repeat < 3; repeat++) tf.leakyRelu(x, 0.2).dispose();
    tf.leakyRelu(x, 0.3).dispose();
    expect(backend.numDataIds()).toBe(before + 1 + 2);
    clearWasmTrainingKernelCaches();
    expect(backend.numDataIds()).toBe(before + 1);
    x.dispose();
  });
});

describe('Greater on wasm', () => {
  beforeAll(prepareBackends);

  it.each([
    [[16, 8, 8, 64], []],
    [
      [16, 8, 8, 64],
      [16, 8, 8, 64],
    ],
    [
      [2, 3],
      [1, 1],
    ],
    [[2, 3], [3]], // broadcast: the stock kernel
  ] as const)('%j > %j matches cpu exactly', async (aShape, bShape) => {
    const single = bShape.reduce((product: number, size) => product * size, 1) === 1;
    const b = single ? { shape: [...bShape], values: new Float32Array([0.25]) } : seededTensorData([...bShape], 43);
    const { wasm, cpu } = await runKernelOnBoth('Greater', { a: seededTensorData([...aShape], 42), b }, {});
    expect(wasm.shape).toEqual(cpu.shape);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
    expect(Array.from(cpu.values)).toEqual(expect.arrayContaining([0, 1]));
  });

  it('compares NaN as false and int32 tensors through the stock kernel', async () => {
    await tf.setBackend('wasm');
    const nan = tf.greater(tf.tensor1d([Number.NaN, 1, -1]), tf.scalar(0));
    expect(Array.from(await nan.data())).toEqual([0, 1, 0]);
    const integers = tf.greater(tf.tensor1d([3, 1, 2], 'int32'), tf.scalar(2, 'int32'));
    expect(Array.from(await integers.data())).toEqual([1, 0, 0]);
    tf.dispose([nan, integers]);
  });
});

describe('Step on wasm', () => {
  beforeAll(prepareBackends);

  it.each([
    [[16, 8, 8, 64], 0.2],
    [[7], 0],
    [[3, 5], -1.5],
  ] as const)(
    'shape %j, alpha %d: cpu bit for bit (NaN, zeros and the remainder after fours included)',
    async (shape, alpha) => {
      const data = seededTensorData([...shape], 43);
      data.values[0] = Number.NaN;
      data.values[1] = 0;
      data.values[2] = -0;
      data.values[data.values.length - 1] = Number.NaN;
      const { wasm, cpu } = await runKernelOnBoth('Step', { x: data }, { alpha });
      expect(wasm.shape).toEqual(cpu.shape);
      expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
      // NaN, 1 and alpha all occur.
      expect(new Set(wasm.values).size).toBe(3);
    },
  );
});

describe.each(['Add', 'Sub', 'Multiply', 'RealDiv'])('%s on wasm', (kernelName) => {
  beforeAll(prepareBackends);

  it.each([
    [
      [16, 8, 8, 64],
      [16, 8, 8, 64],
    ], // same shape
    [
      [5, 7],
      [5, 7],
    ], // same shape, a remainder after fours
    [[16, 4, 4, 128], [128]], // per channel
    [
      [4, 3, 8],
      [1, 1, 8],
    ], // per channel, kept dims
    [[128], [16, 4, 4, 128]], // per channel on the left
    [[6, 5], []], // one value
    [[], [6, 5]], // one value on the left
    [[2, 3, 4], [1]], // one value of rank 1
    [
      [3, 1],
      [1, 4],
    ], // other broadcasts: the stock kernel
    [
      [2, 1, 8],
      [3, 1],
    ],
  ] as const)('a %j, b %j: cpu and the stock kernel bit for bit', async (aShape, bShape) => {
    const a = seededTensorData([...aShape], 71);
    const b = seededTensorData([...bShape], 72);
    // Signed zeros, an infinity and a NaN on the way.
    if (b.values.length > 3) b.values.set([0, -0, Number.POSITIVE_INFINITY, Number.NaN]);
    const { wasm, cpu } = await runKernelOnBoth(kernelName, { a, b }, {});
    expect(wasm.shape).toEqual(cpu.shape);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
    const backend = tf.backend();
    const inputs = { a: tf.tensor(a.values, a.shape), b: tf.tensor(b.values, b.shape) };
    const stock = originalWasmKernels.get(kernelName)!.kernelFunc({ inputs, backend, attrs: {} }) as tf.TensorInfo;
    expect(Array.from(wasm.values)).toEqual(Array.from(backend.readSync(stock.dataId) as Float32Array));
    backend.disposeData(stock.dataId);
    tf.dispose(Object.values(inputs));
  });
});
