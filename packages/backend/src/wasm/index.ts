import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';

import { adamUpdateConfig, clearAdamScalars } from './adam-update.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { batchNormConfig } from './batch-norm.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig, phaseFilterCache } from './conv2d-backprop-input.js';
import {
  addConfig,
  clearLeakyReluSlopes,
  greaterConfig,
  leakyReluConfig,
  multiplyConfig,
  realDivConfig,
  stepConfig,
  subConfig,
} from './elementwise.js';
import { castConfig, identityConfig } from './identity.js';
import { meanConfig, sumConfig } from './leading-axes-reduction.js';
import { tileConfig } from './tile.js';
import { originalWasmKernels, wasmBackendName } from './wasm-kernel-toolkit.js';

/** Our kernels, in registration order. */
const trainingKernelConfigs: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  batchMatMulConfig,
  batchNormConfig,
  tileConfig,
  identityConfig,
  castConfig,
  sumConfig,
  meanConfig,
  leakyReluConfig,
  greaterConfig,
  stepConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  realDivConfig,
  adamUpdateConfig,
];

/** Names of the kernels `registerWasmTrainingKernels` adds to or replaces on the wasm backend. */
export const wasmTrainingKernelNames: readonly string[] = trainingKernelConfigs.map((config) => config.kernelName);

/**
 * Registers on tfjs's `wasm` backend the kernels DCGAN training needs that @tensorflow/tfjs-backend-wasm 4.22
 * lacks (`Conv2DBackpropFilter`) and fast replacements for the ones it has but runs slowly
 * (`Conv2DBackpropInput`, transposed `BatchMatMul`, per-channel `FusedBatchNorm`, `Tile`, `Identity`, `Cast` to the same dtype, per-channel `Sum` and `Mean`,
 * `LeakyRelu`, `Greater`, `Step`, and float32 `Add`, `Sub`, `Multiply`, `RealDiv`), and `DcganAdamUpdate`, the one-kernel Adam step @dcgan/core's Trainer uses where it is
 * registered. Idempotent; safe to call before or after
 * `tf.setBackend('wasm')`. Stock kernels that are replaced are kept and still run their setup when the
 * backend initialises, since our kernels delegate to them.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of trainingKernelConfigs) {
    const current = getKernel(config.kernelName, wasmBackendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) {
      if (!originalWasmKernels.has(config.kernelName)) originalWasmKernels.set(config.kernelName, current);
      unregisterKernel(config.kernelName, wasmBackendName);
    }
    const original = originalWasmKernels.get(config.kernelName);
    const originalSetup = original?.setupFunc;
    registerKernel(originalSetup === undefined ? config : { ...config, setupFunc: originalSetup });
  }
}

/**
 * Frees the filters our kernels derived from weight tensors and keep for reuse (at most 32 sets, each
 * released anyway once its weights are freed) and LeakyRelu's per-channel slopes (one small tensor per
 * slope and channel count) and the Adam update's constants. Call after training to hand the wasm heap back.
 */
export function clearWasmTrainingKernelCaches(): void {
  phaseFilterCache.clear();
  clearLeakyReluSlopes();
  clearAdamScalars();
}

export {
  automaticWasmThreads,
  resolveWasmThreads,
  setWasmTrainingThreads,
  wasmTrainingThreads,
} from './parallel/wasm-training-threads.js';
export { maximumWasmThreads } from './parallel/threaded-wasm-module.js';
export { fastestWasmThreads } from './parallel/fastest-threads.js';
export type { FastestWasmThreads, FastestWasmThreadsOptions, WasmThreadsProbe } from './parallel/fastest-threads.js';
export type { WasmTrainingThreads } from './parallel/wasm-training-threads.js';
