import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { registerWasmTrainingKernels, wasmTrainingKernelNames } from './index.js';

describe('registerWasmTrainingKernels', () => {
  afterEach(() => vi.restoreAllMocks());

  it('registers before the wasm backend starts, and the stock kernels it wraps still get their setup', async () => {
    // This file runs in its own process (vitest forks), so the wasm backend has not been initialised yet.
    expect(tf.engine().registry.wasm).toBeUndefined();
    const warn = vi.spyOn(console, 'warn');
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    // BatchMatMul delegates to the stock kernel, which only works once its setup has run.
    const product = tf.matMul(
      tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]),
      tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]),
      true,
      false,
    );
    expect(await product.array()).toEqual([
      [1 + 5, 3 + 5],
      [2 + 6, 4 + 6],
    ]);
    const transposed = tf.conv2dTranspose(
      tf.ones([1, 2, 2, 1]) as tf.Tensor4D,
      tf.ones([2, 2, 1, 1]) as tf.Tensor4D,
      [1, 4, 4, 1],
      2,
      'valid',
    );
    expect(Array.from(await transposed.data())).toEqual(new Array(16).fill(1));
    expect(warn).not.toHaveBeenCalled();
  });

  it('is idempotent and does not warn about kernels already registered', () => {
    const warn = vi.spyOn(console, 'warn');
    const before = wasmTrainingKernelNames.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    const after = wasmTrainingKernelNames.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    expect(after).toEqual(before);
    expect(warn).not.toHaveBeenCalled();
  });

  it('names every kernel it provides, including the one wasm lacks', () => {
    expect(wasmTrainingKernelNames).toEqual(
      expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'Tile']),
    );
    for (const name of wasmTrainingKernelNames) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc).not.toBe(
      tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc,
    );
  });
});
