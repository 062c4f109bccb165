import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, relativeError, runKernelOn, seededTensorData, type TensorData } from '../test-support/backend-comparison.js';
import { setWasmTrainingThreads, wasmTrainingThreads } from './wasm-training-threads.js';
import { splitKernelWorker } from './split-convolution.js';

type Padding = 'same' | 'valid' | number;

interface ConvolutionCase {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly pad: Padding;
  readonly dilation?: number;
}

// Large enough to be split (>= minimumSplitFlops), with odd batches (the halves differ), odd sizes, 1 and 3 channels.
const cases: ConvolutionCase[] = [
  { batch: 2, height: 32, width: 32, inChannels: 3, outChannels: 64, kernel: 5, stride: 1, pad: 'same' },
  { batch: 5, height: 32, width: 32, inChannels: 3, outChannels: 64, kernel: 4, stride: 2, pad: 'same' },
  { batch: 7, height: 17, width: 15, inChannels: 16, outChannels: 24, kernel: 3, stride: 1, pad: 'same' },
  { batch: 4, height: 16, width: 16, inChannels: 32, outChannels: 64, kernel: 4, stride: 2, pad: 'same' },
  { batch: 3, height: 27, width: 27, inChannels: 1, outChannels: 64, kernel: 5, stride: 1, pad: 'valid' },
  { batch: 6, height: 12, width: 12, inChannels: 24, outChannels: 32, kernel: 3, stride: 1, pad: 1 },
  { batch: 3, height: 20, width: 20, inChannels: 16, outChannels: 16, kernel: 3, stride: 1, pad: 'same', dilation: 2 },
  { batch: 16, height: 8, width: 8, inChannels: 64, outChannels: 128, kernel: 4, stride: 2, pad: 'same' },
];

function describeCase(c: ConvolutionCase): string {
  return `x ${c.batch}x${c.height}x${c.width}x${c.inChannels}, filter ${c.kernel}x${c.kernel}x${c.inChannels}x${c.outChannels}, stride ${c.stride}, pad ${c.pad}, dilation ${c.dilation ?? 1}`;
}

async function onBothAndOneThread(kernelName: string, inputs: Record<string, TensorData>, attributes: Record<string, unknown>) {
  await setWasmTrainingThreads(2);
  const requestsBefore = splitKernelWorker()?.requests ?? 0;
  const split = await runKernelOn('wasm', kernelName, inputs, attributes);
  // The call was large enough to be split: the worker computed part of it.
  expect(splitKernelWorker()?.requests ?? 0).toBeGreaterThan(requestsBefore);
  await setWasmTrainingThreads(1);
  const single = await runKernelOn('wasm', kernelName, inputs, attributes);
  const cpu = await runKernelOn('cpu', kernelName, inputs, attributes);
  await tf.setBackend('wasm');
  await setWasmTrainingThreads(2);
  return { split, single, cpu };
}

function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let differing = 0;
  for (let index = 0; index < actual.length; index++) if (actual[index] !== expected[index]) differing++;
  expect(differing).toBe(0);
}

describe('convolutions split across two wasm threads', () => {
  beforeAll(async () => {
    await prepareBackends();
    expect(await setWasmTrainingThreads(2)).toBe(2);
  });
  afterAll(async () => {
    await setWasmTrainingThreads(1);
  });

  it.each(cases.map((c) => [describeCase(c), c] as const))('Conv2D matches cpu and one thread: %s', async (_, c) => {
    const filterShape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
    const attributes = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', dilations: [c.dilation ?? 1, c.dilation ?? 1] };
    const inputs = { x: seededTensorData([c.batch, c.height, c.width, c.inChannels], 1), filter: seededTensorData(filterShape, 2) };
    const { split, single, cpu } = await onBothAndOneThread('Conv2D', inputs, attributes);
    expect(split.shape).toEqual(cpu.shape);
    expect(relativeError(split.values, cpu.values)).toBeLessThan(1e-4);
    expectSameBits(split.values, single.values);
  });

  it.each([
    ['linear', undefined],
    ['relu', undefined],
    ['leakyrelu', 0.2],
  ] as const)('FusedConv2D with bias and %s matches cpu and one thread', async (activation, leakyreluAlpha) => {
    const inputs = {
      x: seededTensorData([5, 16, 16, 32], 3),
      filter: seededTensorData([4, 4, 32, 64], 4),
      bias: seededTensorData([64], 5),
    };
    const attributes = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], activation, leakyreluAlpha };
    const { split, single, cpu } = await onBothAndOneThread('FusedConv2D', inputs, attributes);
    expect(relativeError(split.values, cpu.values)).toBeLessThan(1e-4);
    expectSameBits(split.values, single.values);
  });

  it.each([
    ['Conv2DBackpropInput', 'G 8x8x64 -> 16x16x32'],
    ['Conv2DBackpropFilter', 'D 16x16x32 -> 8x8x64'],
  ] as const)('%s (built on Conv2D) matches cpu and one thread: %s', async (kernelName, _layer) => {
    const attributes = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC' };
    const result =
      kernelName === 'Conv2DBackpropInput'
        ? await onBothAndOneThread(
            kernelName,
            { dy: seededTensorData([6, 8, 8, 64], 6), filter: seededTensorData([4, 4, 32, 64], 7) },
            { ...attributes, inputShape: [6, 16, 16, 32] },
          )
        : await onBothAndOneThread(
            kernelName,
            { x: seededTensorData([6, 16, 16, 32], 8), dy: seededTensorData([6, 8, 8, 64], 9) },
            { ...attributes, filterShape: [4, 4, 32, 64] },
          );
    expect(relativeError(result.split.values, result.cpu.values)).toBeLessThan(1e-4);
    expectSameBits(result.split.values, result.single.values);
  });

  it('sends each weight tensor once and releases it in the worker once it is freed', async () => {
    await tf.setBackend('wasm');
    const worker = splitKernelWorker();
    expect(worker).toBeDefined();
    const x = tf.tensor(seededTensorData([4, 16, 16, 32], 10).values, [4, 16, 16, 32]) as tf.Tensor4D;
    const heldBefore = worker?.cachedInputs ?? 0;
    const filter = tf.tensor(seededTensorData([4, 4, 32, 64], 11).values, [4, 4, 32, 64]) as tf.Tensor4D;
    const first = tf.conv2d(x, filter, 2, 'same');
    const second = tf.conv2d(x, filter, 2, 'same');
    expect(worker?.cachedInputs).toBe(heldBefore + 1);
    expectSameBits((await first.data()) as Float32Array, (await second.data()) as Float32Array);
    filter.dispose();
    const other = tf.tensor(seededTensorData([4, 4, 32, 64], 12).values, [4, 4, 32, 64]) as tf.Tensor4D;
    const third = tf.conv2d(x, other, 2, 'same');
    expect(worker?.cachedInputs).toBe(heldBefore + 1);
    tf.dispose([x, first, second, other, third]);
  });

  it('hands off hundreds of calls in a row without losing one', async () => {
    await tf.setBackend('wasm');
    const worker = splitKernelWorker();
    const x = tf.tensor(seededTensorData([4, 16, 16, 32], 15).values, [4, 16, 16, 32]) as tf.Tensor4D;
    const filter = tf.tensor(seededTensorData([3, 3, 32, 32], 16).values, [3, 3, 32, 32]) as tf.Tensor4D;
    const expected = tf.conv2d(x, filter, 1, 'same');
    const requestsBefore = worker?.requests ?? 0;
    for (let call = 0; call < 300; call++) tf.conv2d(x, filter, 1, 'same').dispose();
    expect((worker?.requests ?? 0) - requestsBefore).toBe(300);
    const last = tf.conv2d(x, filter, 1, 'same');
    expectSameBits((await last.data()) as Float32Array, (await expected.data()) as Float32Array);
    tf.dispose([x, filter, expected, last]);
  });

  it('keeps the tensor count steady', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(seededTensorData([4, 16, 16, 32], 13).values, [4, 16, 16, 32]) as tf.Tensor4D;
    const filter = tf.tensor(seededTensorData([4, 4, 32, 64], 14).values, [4, 4, 32, 64]) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, w as tf.Tensor4D, 2, 'same'))))(filter)).dispose();
    step();
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let index = 0; index < 3; index++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    tf.dispose([x, filter]);
  });

  it('rejects thread counts other than auto, 1 and 2', async () => {
    await expect(setWasmTrainingThreads(3 as 2)).rejects.toThrow("Expected `wasmThreads` to be 'auto', 1 or 2, got `3`");
    expect(wasmTrainingThreads()).toBe(2);
  });
});
