import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers tfjs-core's gradient functions (the training-step tests use it anyway).
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';

import { importModule } from '../../load-module.js';
import { registerWasmTrainingKernels } from '../../wasm/index.js';
import { formatAdapter } from '../adapters.js';
import { prepareWebGpu, webGpuBackendName } from '../start-webgpu.js';

import { relativeError } from '../../wasm/test-support/backend-comparison.js';

export {
  relativeError,
  seededTensorData,
  seededValues,
  type TensorData,
} from '../../wasm/test-support/backend-comparison.js';

/**
 * Starts tfjs's webgpu backend on whatever adapter Dawn finds (a software one included: CI runs these
 * tests on Mesa's lavapipe). `ok: false` with the reason when there is none.
 */
async function startWebGpu(): Promise<{ ok: true; adapter: string } | { ok: false; reason: string }> {
  const prepared = await prepareWebGpu(importModule, true);
  if (!prepared.ok) return { ok: false, reason: prepared.reason };
  registerWasmTrainingKernels();
  await tf.setBackend('cpu');
  await tf.setBackend('wasm');
  if (!(await tf.setBackend(webGpuBackendName))) return { ok: false, reason: 'the webgpu backend failed to start' };
  await tf.ready();
  return { ok: true, adapter: formatAdapter(prepared.adapter) };
}

export const webgpu = await startWebGpu();

/**
 * `describe` for tests that need a WebGPU adapter: skipped with the reason in its name when this machine has
 * none, except under CI (CI=true), where a missing adapter fails (`.ci/run` installs Mesa's lavapipe).
 */
export function describeWebGpu(name: string, body: () => void): void {
  if (webgpu.ok) {
    describe(`${name} (webgpu on ${webgpu.adapter})`, body);
    return;
  }
  if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
    describe(name, () => {
      it('has a WebGPU adapter (CI runs these tests on Mesa lavapipe; see .ci/run)', () => {
        throw new Error(`No WebGPU adapter under CI: ${webgpu.reason}`);
      });
    });
    return;
  }
  // Said out loud: the default reporter shows skipped suites only as a count.
  console.warn(`skipping "${name}": no WebGPU adapter here: ${webgpu.reason}`);
  describe.skip(`${name} (skipped: no WebGPU adapter here: ${webgpu.reason})`, body);
}

export type ComparedBackend = 'cpu' | 'wasm' | 'webgpu';

/**
 * Runs `compute` on `backendName` with fresh tensors made from `inputs` and returns every output as data
 * (read with `await data()`: webgpu cannot read synchronously in Node). All tensors are freed.
 */
export async function computeOn(
  backendName: ComparedBackend,
  inputs: readonly { shape: readonly number[]; values: Float32Array }[],
  compute: (...tensors: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backendName);
  const tensors = inputs.map((input) => tf.tensor(input.values, [...input.shape], 'float32'));
  const outputs = tf.tidy(() => {
    const result = compute(...tensors);
    return Array.isArray(result) ? result : [result];
  });
  try {
    return await Promise.all(outputs.map(async (output) => Float32Array.from((await output.data()) as Float32Array)));
  } finally {
    tf.dispose([...tensors, ...outputs]);
  }
}

/** The largest relative error of each output of `compute` on webgpu against cpu. */
export async function compareWithCpu(
  inputs: readonly { shape: readonly number[]; values: Float32Array }[],
  compute: (...tensors: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<{ errors: number[]; webgpu: Float32Array[]; cpu: Float32Array[] }> {
  const onWebGpu = await computeOn('webgpu', inputs, compute);
  const onCpu = await computeOn('cpu', inputs, compute);
  await tf.setBackend(webGpuBackendName);
  return {
    errors: onWebGpu.map((values, index) => relativeError(values, onCpu[index] as Float32Array)),
    webgpu: onWebGpu,
    cpu: onCpu,
  };
}
