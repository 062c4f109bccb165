import { beforeAll, describe, expect, it } from 'vitest';

import {
  prepareBackends,
  relativeError,
  runKernelOnBoth,
  seededTensorData,
} from './test-support/backend-comparison.js';

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
});
