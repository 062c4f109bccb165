import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  prepareBackends,
  relativeError,
  runKernelOnBoth,
  seededTensorData,
} from './test-support/backend-comparison.js';
import { spaceToDepthPlan } from './conv2d-backprop-filter.js';

type Padding = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface FilterCase {
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

const cases: FilterCase[] = [];
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
  // DCGAN-sized layers: D's 4x4 stride-2 'same' convolutions.
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
);
/** Few input channels against many output channels: x is the convolution's filter (space to depth). */
const spaceToDepthCases: FilterCase[] = [
  { batch: 4, height: 32, width: 32, inChannels: 3, outChannels: 32, kernel: [4, 4], strides: [2, 2], pad: 'same' },
  { batch: 2, height: 31, width: 29, inChannels: 1, outChannels: 16, kernel: [5, 4], strides: [2, 2], pad: 'same' },
  { batch: 2, height: 10, width: 11, inChannels: 1, outChannels: 24, kernel: [3, 3], strides: [3, 3], pad: 'valid' },
  { batch: 3, height: 8, width: 8, inChannels: 2, outChannels: 40, kernel: [2, 2], strides: [1, 1], pad: 'same' },
  {
    batch: 2,
    height: 17,
    width: 15,
    inChannels: 1,
    outChannels: 16,
    kernel: [4, 4],
    strides: [2, 2],
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  {
    batch: 2,
    height: 12,
    width: 12,
    inChannels: 2,
    outChannels: 32,
    kernel: [4, 4],
    strides: [2, 2],
    pad: 'same',
    dataFormat: 'NCHW',
  },
];
cases.push(...spaceToDepthCases);

function describeCase(testCase: FilterCase): string {
  const { batch, height, width, inChannels, outChannels, kernel, strides, pad, dataFormat = 'NHWC' } = testCase;
  return `x ${batch}x${height}x${width}x${inChannels}, filter ${kernel.join('x')}x${inChannels}x${outChannels}, strides ${strides.join(',')}, pad ${JSON.stringify(pad)}, ${dataFormat}`;
}

describe('Conv2DBackpropFilter on wasm', () => {
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
      const xShape = dataFormat === 'NHWC' ? [batch, height, width, inChannels] : [batch, inChannels, height, width];
      const dyShape = dataFormat === 'NHWC' ? info.outShape : [batch, outChannels, info.outHeight, info.outWidth];
      const { wasm, cpu } = await runKernelOnBoth(
        'Conv2DBackpropFilter',
        { x: seededTensorData(xShape, 1), dy: seededTensorData(dyShape, 2) },
        { strides, pad, dataFormat, dimRoundingMode, filterShape },
      );
      expect(wasm.shape).toEqual(filterShape);
      expect(cpu.shape).toEqual(filterShape);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
    },
  );

  it('is what tf.grad of conv2d gives for the filter on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(seededTensorData([2, 8, 8, 3], 3).values, [2, 8, 8, 3]);
    const filter = tf.tensor(seededTensorData([4, 4, 3, 5], 4).values, [4, 4, 3, 5]);
    const gradient = tf.grad((w: tf.Tensor) =>
      tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'))),
    )(filter);
    const wasmValues = await gradient.data();
    const data = { x: await x.data(), filter: await filter.data() };
    tf.dispose([x, filter, gradient]);
    await tf.setBackend('cpu');
    const expected = tf.tidy(() =>
      tf.grad((w: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(tf.tensor4d(data.x, [2, 8, 8, 3]), w as tf.Tensor4D, 2, 'same'))),
      )(tf.tensor4d(data.filter, [4, 4, 3, 5])),
    );
    const cpuValues = await expected.data();
    expected.dispose();
    await tf.setBackend('wasm');
    expect(relativeError(wasmValues, cpuValues)).toBeLessThan(1e-4);
  });

  it.each(spaceToDepthCases.map((testCase) => [describeCase(testCase), testCase] as const))(
    'takes x as the filter where it has fewer values than dy: %s',
    (_, testCase) => {
      const { batch, height, width, inChannels, outChannels, kernel, strides, pad } = testCase;
      const filterShape = [kernel[0], kernel[1], inChannels, outChannels];
      const info = tf.backend_util.computeConv2DInfo(
        [batch, height, width, inChannels],
        filterShape as never,
        strides,
        1,
        pad,
      );
      const plan = spaceToDepthPlan(info.inShape, info.outShape, filterShape, strides, [
        info.padInfo.top,
        info.padInfo.left,
      ]);
      expect(plan).toBeDefined();
    },
  );

  it('keeps dy as the filter for the wider layers of a DCGAN discriminator', () => {
    // D's second layer: x 16x16x16x32, dy 16x8x8x64.
    expect(spaceToDepthPlan([16, 16, 16, 32], [16, 8, 8, 64], [4, 4, 32, 64], [2, 2], [1, 1])).toBeUndefined();
    expect(spaceToDepthPlan([16, 32, 32, 3], [16, 16, 16, 32], [4, 4, 3, 32], [2, 2], [1, 1])).toBeDefined();
  });
});
