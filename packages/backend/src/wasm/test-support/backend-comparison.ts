import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers tfjs-core's gradient functions (the training-step tests use it anyway).
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '@dcgan/common';

import { registerWasmTrainingKernels } from '../index.js';

/** A tensor as plain data, so it can be recreated on another backend. */
export interface TensorData {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** Deterministic uniform values in [-1, 1) (mulberry32 from `seed` itself), independent of any backend's random ops. */
export function seededValues(size: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const values = new Float32Array(size);
  for (let index = 0; index < size; index++) values[index] = random() * 2 - 1;
  return values;
}

export function seededTensorData(shape: readonly number[], seed: number): TensorData {
  return {
    shape: [...shape],
    values: seededValues(
      shape.reduce((product, size) => product * size, 1),
      seed,
    ),
  };
}

/** max |actual - expected| / max |expected| (0 when both are all zeros). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`Length mismatch: ${actual.length} vs ${expected.length}`);
  let difference = 0;
  let scale = 0;
  for (let index = 0; index < expected.length; index++) {
    difference = Math.max(difference, Math.abs((actual[index] as number) - (expected[index] as number)));
    scale = Math.max(scale, Math.abs(expected[index] as number));
  }
  if (Number.isNaN(difference)) return Number.POSITIVE_INFINITY;
  return scale === 0 ? difference : difference / scale;
}

/** Registers our kernels and makes sure both backends are initialised. */
export async function prepareBackends(): Promise<void> {
  registerWasmTrainingKernels();
  await tf.setBackend('cpu');
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Runs `kernelName` on `backendName` with the given inputs and attributes and returns its output as data. */
export async function runKernelOn(
  backendName: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, TensorData>,
  attributes: Record<string, unknown>,
): Promise<TensorData> {
  await tf.setBackend(backendName);
  const tensors: tf.NamedTensorMap = {};
  for (const [name, data] of Object.entries(inputs)) tensors[name] = tf.tensor(data.values, data.shape, 'float32');
  const output = tf.engine().runKernel(kernelName, tensors, attributes as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: output.shape, values: (await output.data()) as Float32Array };
  output.dispose();
  tf.dispose(Object.values(tensors));
  return result;
}

/** The kernel's output on wasm (our kernels registered) and on cpu, for comparison. */
export async function runKernelOnBoth(
  kernelName: string,
  inputs: Record<string, TensorData>,
  attributes: Record<string, unknown>,
): Promise<{ wasm: TensorData; cpu: TensorData }> {
  const wasm = await runKernelOn('wasm', kernelName, inputs, attributes);
  const cpu = await runKernelOn('cpu', kernelName, inputs, attributes);
  await tf.setBackend('wasm');
  return { wasm, cpu };
}
