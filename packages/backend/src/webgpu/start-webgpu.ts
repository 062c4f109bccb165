import * as tf from '@tensorflow/tfjs-core';

import { BackendError } from '../errors.js';
import type { ModuleImporter } from '../load-module.js';
import {
  dawnPackage,
  describeAdapter,
  explainWebGpuLoadFailure,
  formatAdapter,
  requestAdapters,
  webGpuInstallAdvice,
  type DawnAdapter,
  type WebGpuAdapterReport,
} from './adapters.js';
import { registerWebGpuTrainingKernels } from './kernels/index.js';

export const webGpuBackendPackage = '@tensorflow/tfjs-backend-webgpu';
export const webGpuBackendName = 'webgpu';

/** The adapter the `webgpu` backend runs on, once it has started (`null` before). */
let currentAdapter: WebGpuAdapterReport | null = null;

/** The adapter tfjs's `webgpu` backend runs on, or `null` when it has not been started by this package. */
export function webGpuAdapter(): WebGpuAdapterReport | null {
  return currentAdapter;
}

export type WebGpuAttempt =
  | { readonly ok: true; readonly adapter: WebGpuAdapterReport; readonly adapters: readonly WebGpuAdapterReport[] }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly cause?: unknown;
      readonly adapters?: readonly WebGpuAdapterReport[];
    };

interface WebGpuBackendModule {
  WebGPUBackend: new (
    device: unknown,
    adapterInfo?: unknown,
  ) => tf.KernelBackend & { readSync(dataId: object): unknown };
}

/**
 * Loads Dawn (`webgpu`) and `@tensorflow/tfjs-backend-webgpu`, picks an adapter (a hardware one; a software
 * one such as Mesa's llvmpipe only with `allowSoftware`), and registers tfjs's `webgpu` backend on it with
 * this package's kernel fixes. Does not make it current. Never throws.
 */
export async function prepareWebGpu(importModule: ModuleImporter, allowSoftware: boolean): Promise<WebGpuAttempt> {
  let adapters: DawnAdapter[];
  try {
    adapters = await requestAdapters(importModule);
  } catch (error) {
    return { ok: false, reason: explainWebGpuLoadFailure(dawnPackage, error), cause: error };
  }
  const reports = adapters.map(describeAdapter);
  if (adapters.length === 0) {
    return { ok: false, reason: `Dawn found no WebGPU adapter. ${webGpuInstallAdvice()}`, adapters: reports };
  }
  const index = reports.findIndex((report) => !report.software);
  const chosenIndex = index >= 0 ? index : allowSoftware ? 0 : -1;
  if (chosenIndex < 0) {
    return {
      ok: false,
      reason:
        `only a software adapter was found (${reports.map(formatAdapter).join(', ')}), which trains slower than wasm; ` +
        `ask for \`webgpu\` by name to use it anyway. For a GPU: ${webGpuInstallAdvice()}`,
      adapters: reports,
    };
  }
  const adapter = adapters[chosenIndex] as DawnAdapter;
  let module: WebGpuBackendModule;
  try {
    module = (await importModule(webGpuBackendPackage)) as WebGpuBackendModule;
  } catch (error) {
    return {
      ok: false,
      reason: explainWebGpuLoadFailure(webGpuBackendPackage, error),
      cause: error,
      adapters: reports,
    };
  }
  if (typeof module.WebGPUBackend !== 'function') {
    return {
      ok: false,
      reason: `${webGpuBackendPackage} loaded but exports no WebGPUBackend (expected 4.22.0)`,
      adapters: reports,
    };
  }
  patchReadSync(module.WebGPUBackend.prototype);
  registerWebGpuTrainingKernels();
  // The package registers its own factory when navigator.gpu existed at import (it did: loadDawn sets it).
  // Replace it by one on the adapter chosen here, so that a software adapter is never picked silently.
  if (tf.findBackend(webGpuBackendName) !== null || tf.findBackendFactory(webGpuBackendName) !== null)
    tf.removeBackend(webGpuBackendName);
  const WebGPUBackend = module.WebGPUBackend;
  tf.registerBackend(
    webGpuBackendName,
    async () => {
      const device = await adapter.requestDevice(deviceDescriptor(adapter));
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
  currentAdapter = reports[chosenIndex] as WebGpuAdapterReport;
  return { ok: true, adapter: currentAdapter, adapters: reports };
}

/** The device tfjs-backend-webgpu 4.22 asks for: the adapter's largest buffers and workgroups. */
function deviceDescriptor(adapter: DawnAdapter): {
  requiredFeatures: string[];
  requiredLimits: Record<string, number>;
} {
  const limits = adapter.limits;
  const requiredLimits: Record<string, number> = {};
  for (const name of [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ]) {
    const value = limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  // timestamp-query lets tf.profile time kernels; the package also asks for bgra8unorm-storage, which only
  // drawing to a canvas uses (and which it passes wrapped in an array).
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  return { requiredFeatures, requiredLimits };
}

const patched = Symbol.for('@dcgan/backend.webgpuReadSync');

/**
 * tfjs-backend-webgpu reads a GPU tensor synchronously through an OffscreenCanvas, which Node lacks: it
 * fails with "OffscreenCanvas is not defined". Say what to do instead (values already on the CPU still read).
 */
function patchReadSync(prototype: { readSync(dataId: object): unknown; [patched]?: true }): void {
  if (prototype[patched] === true) return;
  const original = prototype.readSync;
  prototype.readSync = function readSync(this: unknown, dataId: object) {
    if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined') {
      const data = (
        this as { tensorMap: { get(id: object): { values: unknown; dtype: string } | undefined } }
      ).tensorMap.get(dataId);
      if (data !== undefined && data.values == null && data.dtype !== 'string' && data.dtype !== 'complex64') {
        throw new BackendError(
          'dataSync()/arraySync() cannot read a tensor from the GPU on the webgpu backend in Node (no OffscreenCanvas): use `await tensor.data()` or `await tensor.array()`',
        );
      }
    }
    return original.call(this, dataId);
  };
  prototype[patched] = true;
}
