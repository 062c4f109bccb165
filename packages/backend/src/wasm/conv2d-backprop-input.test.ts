import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  prepareBackends,
  relativeError,
  runKernelOnBoth,
  seededTensorData,
} from './test-support/backend-comparison.js';

type Padding = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface InputCase {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly pad: Padding;
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const cases: InputCase[] = [];
for (const batch of [1, 3]) {
  for (const [height, width] of [
    [8, 8],
    [7, 9],
    [5, 5],
  ] as const) {
    for (const [inChannels, outChannels] of [
      [1, 2],
      [3, 4],
    ] as const) {
      for (const kernel of [1, 3, 4] as const) {
        for (const stride of [1, 2] as const) {
          for (const pad of ['same', 'valid'] as const) {
            cases.push({
              batch,
              height,
              width,
              inChannels,
              outChannels,
              kernel: [kernel, kernel],
              strides: [stride, stride],
              pad,
            });
          }
        }
      }
    }
  }
}
cases.push(
  { batch: 2, height: 11, width: 10, inChannels: 3, outChannels: 2, kernel: [5, 5], strides: [3, 3], pad: 'same' },
  { batch: 2, height: 8, width: 8, inChannels: 2, outChannels: 3, kernel: [2, 2], strides: [3, 3], pad: 'valid' },
  { batch: 2, height: 9, width: 6, inChannels: 2, outChannels: 3, kernel: [3, 2], strides: [2, 1], pad: 'same' },
  {
    batch: 1,
    height: 5,
    width: 7,
    inChannels: 2,
    outChannels: 2,
    kernel: [3, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  {
    batch: 2,
    height: 9,
    width: 9,
    inChannels: 3,
    outChannels: 2,
    kernel: [3, 3],
    strides: [2, 2],
    pad: 1,
    dimRoundingMode: 'floor',
  },
  {
    batch: 2,
    height: 8,
    width: 7,
    inChannels: 3,
    outChannels: 4,
    kernel: [4, 4],
    strides: [2, 2],
    pad: 'same',
    dataFormat: 'NCHW',
  },
  // DCGAN-sized layers: G's 4x4 stride-2 'same' transposed convolutions (and D's input gradients).
  { batch: 2, height: 7, width: 7, inChannels: 2, outChannels: 3, kernel: [1, 1], strides: [3, 3], pad: 'valid' },
  { batch: 2, height: 6, width: 6, inChannels: 2, outChannels: 3, kernel: [2, 2], strides: [4, 4], pad: 'same' },
  { batch: 4, height: 32, width: 32, inChannels: 3, outChannels: 16, kernel: [4, 4], strides: [2, 2], pad: 'same' },
  { batch: 4, height: 16, width: 16, inChannels: 16, outChannels: 32, kernel: [4, 4], strides: [2, 2], pad: 'same' },
  { batch: 4, height: 4, width: 4, inChannels: 32, outChannels: 1, kernel: [4, 4], strides: [1, 1], pad: 'valid' },
  // Filters spanning the whole input (one output pixel per image): a matrix product.
  { batch: 3, height: 3, width: 5, inChannels: 6, outChannels: 4, kernel: [3, 5], strides: [2, 2], pad: 'valid' },
  {
    batch: 2,
    height: 4,
    width: 4,
    inChannels: 5,
    outChannels: 3,
    kernel: [4, 4],
    strides: [1, 1],
    pad: 'valid',
    dataFormat: 'NCHW',
  },
  // 32 channels and more: pixels copied into place as blocks.
  { batch: 2, height: 8, width: 8, inChannels: 32, outChannels: 8, kernel: [4, 4], strides: [2, 2], pad: 'same' },
  { batch: 2, height: 7, width: 9, inChannels: 40, outChannels: 3, kernel: [3, 3], strides: [2, 2], pad: 'valid' },
  { batch: 1, height: 9, width: 6, inChannels: 33, outChannels: 2, kernel: [3, 2], strides: [2, 1], pad: 'same' },
);

function describeCase(testCase: InputCase): string {
  const { batch, height, width, inChannels, outChannels, kernel, strides, pad, dataFormat = 'NHWC' } = testCase;
  return `x ${batch}x${height}x${width}x${inChannels}, filter ${kernel.join('x')}x${inChannels}x${outChannels}, strides ${strides.join(',')}, pad ${JSON.stringify(pad)}, ${dataFormat}`;
}

describe('Conv2DBackpropInput on wasm', () => {
  beforeAll(prepareBackends);

  it.each(cases.map((testCase) => [describeCase(testCase), testCase] as const))(
    'matches cpu: %s',
    async (_, testCase) => {
      const {
        batch,
        height,
        width,
        inChannels,
        outChannels,
        kernel,
        strides,
        pad,
        dataFormat = 'NHWC',
        dimRoundingMode,
      } = testCase;
      const filterShape: [number, number, number, number] = [kernel[0], kernel[1], inChannels, outChannels];
      const info = tf.backend_util.computeConv2DInfo(
        [batch, height, width, inChannels],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const inputShape =
        dataFormat === 'NHWC' ? [batch, height, width, inChannels] : [batch, inChannels, height, width];
      const dyShape = dataFormat === 'NHWC' ? info.outShape : [batch, outChannels, info.outHeight, info.outWidth];
      const { wasm, cpu } = await runKernelOnBoth(
        'Conv2DBackpropInput',
        { dy: seededTensorData(dyShape, 5), filter: seededTensorData(filterShape, 6) },
        { strides, pad, dataFormat, dimRoundingMode, inputShape },
      );
      expect(wasm.shape).toEqual(inputShape);
      expect(cpu.shape).toEqual(inputShape);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
    },
  );

  it('runs conv2dTranspose (a generator layer) like cpu', async () => {
    const input = seededTensorData([3, 4, 4, 8], 7);
    const filter = seededTensorData([4, 4, 5, 8], 8);
    const run = async (backendName: 'cpu' | 'wasm') => {
      await tf.setBackend(backendName);
      const output = tf.tidy(() =>
        tf.conv2dTranspose(
          tf.tensor4d(input.values, input.shape as [number, number, number, number]),
          tf.tensor4d(filter.values, filter.shape as [number, number, number, number]),
          [3, 8, 8, 5],
          2,
          'same',
        ),
      );
      const values = await output.data();
      output.dispose();
      return values;
    };
    const cpuValues = await run('cpu');
    const wasmValues = await run('wasm');
    expect(relativeError(wasmValues, cpuValues)).toBeLessThan(1e-4);
  });
});

describe('Conv2DBackpropInput phase-filter cache', () => {
  beforeAll(prepareBackends);

  it('reuses sub-filters while the weights live, frees them after, and stays correct when weights change', async () => {
    const { phaseFilterCache } = await import('./conv2d-backprop-input.js');
    await tf.setBackend('wasm');
    phaseFilterCache.clear();
    const dy = tf.tensor4d(seededTensorData([2, 4, 4, 6], 41).values, [2, 4, 4, 6]);
    const first = tf.tensor4d(seededTensorData([4, 4, 3, 6], 42).values, [4, 4, 3, 6]);
    const second = tf.tensor4d(seededTensorData([4, 4, 3, 6], 43).values, [4, 4, 3, 6]);
    const run = (filter: tf.Tensor4D) => tf.conv2dTranspose(dy, filter, [2, 8, 8, 3], 2, 'same');
    const a1 = await run(first).data();
    const a2 = await run(first).data();
    expect(phaseFilterCache.size).toBe(1);
    const b1 = await run(second).data();
    expect(phaseFilterCache.size).toBe(2);
    expect(Array.from(a2)).toEqual(Array.from(a1));
    expect(relativeError(b1, a1)).toBeGreaterThan(0.1);
    first.dispose();
    second.dispose();
    const third = tf.tensor4d(seededTensorData([4, 4, 3, 6], 42).values, [4, 4, 3, 6]);
    expect(Array.from(await run(third).data())).toEqual(Array.from(a1));
    expect(phaseFilterCache.size).toBe(1); // the freed weights' entries are gone
    tf.dispose([dy, third]);
    phaseFilterCache.clear();
    expect(phaseFilterCache.size).toBe(0);
  });
});
