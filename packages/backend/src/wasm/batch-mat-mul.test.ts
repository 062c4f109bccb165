import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  prepareBackends,
  relativeError,
  runKernelOnBoth,
  seededTensorData,
} from './test-support/backend-comparison.js';
import { originalWasmKernels } from './wasm-kernel-toolkit.js';

interface MatMulCase {
  readonly batch: number[];
  readonly rows: number;
  readonly inner: number;
  readonly columns: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

const cases: MatMulCase[] = [];
for (const batch of [[1], [3], [2, 2]]) {
  for (const [rows, inner, columns] of [
    [1, 1, 1],
    [4, 5, 3],
    [16, 100, 64],
    [7, 1, 9],
  ] as const) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) cases.push({ batch, rows, inner, columns, transposeA, transposeB });
    }
  }
}

describe('BatchMatMul on wasm', () => {
  beforeAll(prepareBackends);

  it.each(cases.map((testCase) => [JSON.stringify(testCase), testCase] as const))(
    'matches cpu: %s',
    async (_, testCase) => {
      const { batch, rows, inner, columns, transposeA, transposeB } = testCase;
      const aShape = [...batch, ...(transposeA ? [inner, rows] : [rows, inner])];
      const bShape = [...batch, ...(transposeB ? [columns, inner] : [inner, columns])];
      const { wasm, cpu } = await runKernelOnBoth(
        'BatchMatMul',
        { a: seededTensorData(aShape, 11), b: seededTensorData(bShape, 12) },
        { transposeA, transposeB },
      );
      expect(wasm.shape).toEqual([...batch, rows, columns]);
      expect(cpu.shape).toEqual(wasm.shape);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
    },
  );

  it('broadcasts a single b over a batch of a, transposed', async () => {
    const { wasm, cpu } = await runKernelOnBoth(
      'BatchMatMul',
      { a: seededTensorData([3, 4, 5], 13), b: seededTensorData([1, 6, 4], 14) },
      { transposeA: true, transposeB: true },
    );
    expect(wasm.shape).toEqual([3, 5, 6]);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
  });

  it('multiplies new large weights as (bᵀaᵀ)ᵀ, and weights it has seen through the stock kernel', async () => {
    await tf.setBackend('wasm');
    const stock = originalWasmKernels.get('BatchMatMul')!;
    const stockShapes: number[][][] = [];
    originalWasmKernels.set('BatchMatMul', {
      ...stock,
      kernelFunc: (args) => {
        stockShapes.push(Object.values(args.inputs).map((input) => [...input!.shape]));
        return stock.kernelFunc(args);
      },
    });
    try {
      const z = seededTensorData([16, 100], 15);
      const weights = seededTensorData([100, 2048], 16);
      const a = tf.tensor2d(z.values, [16, 100]);
      const b = tf.tensor2d(weights.values, [100, 2048]);
      const first = tf.matMul(a, b);
      const second = tf.matMul(a, b);
      expect(stockShapes).toEqual([
        [
          [2048, 100],
          [100, 16],
        ],
        [
          [16, 100],
          [100, 2048],
        ],
      ]);
      const { cpu } = await runKernelOnBoth(
        'BatchMatMul',
        { a: z, b: weights },
        { transposeA: false, transposeB: false },
      );
      expect(relativeError(await first.data(), cpu.values)).toBeLessThan(1e-5);
      expect(relativeError(await second.data(), cpu.values)).toBeLessThan(1e-5);
      tf.dispose([a, b, first, second]);
    } finally {
      originalWasmKernels.set('BatchMatMul', stock);
    }
  });
});
