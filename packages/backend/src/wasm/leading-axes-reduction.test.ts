import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  prepareBackends,
  relativeError,
  runKernelOnBoth,
  seededTensorData,
} from './test-support/backend-comparison.js';

const cases: Array<{ shape: number[]; axis: number | number[] | null; keepDims: boolean }> = [
  { shape: [16, 8, 8, 64], axis: [0, 1, 2], keepDims: false }, // batch norm statistics of an NHWC tensor
  { shape: [16, 4, 4, 128], axis: [2, 0, 1], keepDims: true }, // axes in any order
  { shape: [7, 5, 3, 2], axis: [0, 1], keepDims: false },
  { shape: [10, 9, 7, 5], axis: [0, 1, 2], keepDims: true }, // 630 rows: pooled, not a power of two
  { shape: [64, 3], axis: 0, keepDims: false }, // the fewest rows pooled
  { shape: [3, 6], axis: 0, keepDims: true },
  { shape: [5, 1, 9], axis: [-3, -2], keepDims: false }, // negative axes
  { shape: [6, 3, 2], axis: [1, 2], keepDims: false }, // trailing axes: the stock kernel
  { shape: [4, 5], axis: null, keepDims: false }, // every axis: the stock kernel
];

describe.each(['Sum', 'Mean'])('%s over leading axes on wasm', (kernelName) => {
  beforeAll(prepareBackends);

  it.each(cases.map((testCase) => [JSON.stringify(testCase), testCase] as const))(
    'matches cpu: %s',
    async (_, { shape, axis, keepDims }) => {
      const { wasm, cpu } = await runKernelOnBoth(kernelName, { x: seededTensorData(shape, 31) }, { axis, keepDims });
      expect(wasm.shape).toEqual(cpu.shape);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
      // Channels in fours: our module's float64 sums in row order, the cpu backend's own bits.
      const channels = shape.at(-1)!;
      const leadingAxes = axis !== null && [axis].flat().length < shape.length && shape.length > 1;
      if (channels % 4 === 0 && leadingAxes) expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
    },
  );

  it('reduces int32 tensors exactly (stock kernel)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'int32');
    const reduced = kernelName === 'Sum' ? tf.sum(x, [0, 1]) : tf.mean(x, [0, 1]);
    expect(Array.from(await reduced.data())).toEqual(kernelName === 'Sum' ? [16, 20] : [4, 5]);
    tf.dispose([x, reduced]);
  });
});
