import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';

/** Our kernels for tfjs's `webgpu` backend, in registration order. */
const trainingKernelConfigs: readonly KernelConfig[] = [];

/** Names of the kernels `registerWebGpuTrainingKernels` adds to or replaces on the webgpu backend. */
export const webGpuTrainingKernelNames: readonly string[] = trainingKernelConfigs.map((config) => config.kernelName);

/**
 * Registers on tfjs's `webgpu` backend this package's fixes for kernels @tensorflow/tfjs-backend-webgpu 4.22
 * gets wrong or lacks for DCGAN training. Idempotent; `initBackend` calls it.
 */
export function registerWebGpuTrainingKernels(): void {
  for (const config of trainingKernelConfigs) {
    const current = getKernel(config.kernelName, 'webgpu');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) unregisterKernel(config.kernelName, 'webgpu');
    registerKernel(config);
  }
}
