import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';

import { batchMatMulConfig, fusedMatMulConfig, originalWebGpuKernels } from './batch-mat-mul.js';

/** Our kernels for tfjs's `webgpu` backend, in registration order. */
const trainingKernelConfigs: readonly KernelConfig[] = [batchMatMulConfig, fusedMatMulConfig];

/** Names of the kernels `registerWebGpuTrainingKernels` adds to or replaces on the webgpu backend. */
export const webGpuTrainingKernelNames: readonly string[] = trainingKernelConfigs.map((config) => config.kernelName);

/**
 * Registers on tfjs's `webgpu` backend this package's fixes for kernels @tensorflow/tfjs-backend-webgpu 4.22
 * gets wrong for DCGAN training (see each kernel). Call after @tensorflow/tfjs-backend-webgpu is imported;
 * idempotent; `initBackend` does it.
 */
export function registerWebGpuTrainingKernels(): void {
  for (const config of trainingKernelConfigs) {
    const current = getKernel(config.kernelName, 'webgpu');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) {
      if (!originalWebGpuKernels.has(config.kernelName)) originalWebGpuKernels.set(config.kernelName, current);
      unregisterKernel(config.kernelName, 'webgpu');
    }
    registerKernel(config);
  }
}
