import nodeUtil from 'node:util';

import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';

import { BackendError } from './errors.js';
import { initBackend, type BackendEvent } from './init-backend.js';
import { importModule, restoreLegacyUtilHelpers } from './load-module.js';

/** Stands in for @tensorflow/tfjs-node-gpu: registers a `tensorflow` backend that reports no GPU device. */
function fakeNativeGpuPackage(usingGpu: boolean) {
  return async (specifier: string) => {
    if (specifier !== '@tensorflow/tfjs-node-gpu') return importModule(specifier);
    for (const kernel of tf.getKernelsForBackend('cpu')) {
      if (tf.getKernel(kernel.kernelName, 'tensorflow') === undefined)
        tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
    }
    tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { isUsingGpuDevice: usingGpu }));
    return {};
  };
}

afterEach(() => {
  if (tf.findBackend('tensorflow') !== null || tf.findBackendFactory('tensorflow') !== null) {
    tf.removeBackend('tensorflow');
  }
});

describe('initBackend', () => {
  it('falls back from the missing native packages to wasm and says why', async () => {
    const events: BackendEvent[] = [];
    const selection = await initBackend({ onEvent: (event) => events.push(event) });
    expect(selection.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.usingGpu).toBe(false);
    const gpu = selection.candidates.find((candidate) => candidate.name === 'tensorflow-gpu');
    expect(gpu?.status).toBe('unavailable');
    expect(gpu?.reason).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(selection.reason).toContain('faster candidates unavailable (tensorflow-gpu, webgpu, tensorflow)');
    expect(events.map((event) => event.status)).toEqual([
      'trying',
      'candidate',
      'trying',
      'candidate',
      'trying',
      'candidate',
      'trying',
      'candidate',
      'selected',
    ]);
  });

  it('starts the backend asked for by name', async () => {
    const selection = await initBackend({ prefer: 'cpu' });
    expect(selection.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selection.reason).toBe('asked for cpu');
  });

  it('refuses a named backend that cannot run, with the reason', async () => {
    await expect(initBackend({ prefer: 'tensorflow' })).rejects.toThrow(
      'Backend `tensorflow` was asked for but cannot run here: @tensorflow/tfjs-node is not installed',
    );
    await expect(initBackend({ prefer: 'tensorflow' })).rejects.toSatisfy(BackendError.isInstance);
  });

  it('rejects an unknown preference', async () => {
    await expect(initBackend({ prefer: 'webgl' as never })).rejects.toThrow(
      'Expected `prefer` to be one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu, got `webgl`',
    );
  });

  it('says loudly when tfjs-node-gpu silently runs on the CPU', async () => {
    const selection = await initBackend({ importModule: fakeNativeGpuPackage(false) });
    expect(selection.name).toBe('tensorflow-gpu');
    expect(selection.usingGpu).toBe(false);
    expect(selection.warnings.join('\n')).toMatch(/tfjs-node-gpu loaded but is running on the CPU, not the GPU/);
  });

  it('refuses a GPU-less tfjs-node-gpu when the GPU was asked for by name', async () => {
    await expect(initBackend({ prefer: 'tensorflow-gpu', importModule: fakeNativeGpuPackage(false) })).rejects.toThrow(
      /running on the CPU, not the GPU.*Install CUDA 11.2 and cuDNN 8.1/,
    );
  });

  it('reports a GPU backend that found its device', async () => {
    const selection = await initBackend({ prefer: 'tensorflow-gpu', importModule: fakeNativeGpuPackage(true) });
    expect(selection.usingGpu).toBe(true);
    expect(selection.warnings).toEqual([]);
  });

  it('explains a native package whose install script never fetched libtensorflow', async () => {
    const selection = await initBackend({
      importModule: async (specifier) => {
        if (specifier.startsWith('@tensorflow/tfjs-node')) {
          throw new Error(`Cannot find module '/x/node_modules/${specifier}/lib/napi-v8/tfjs_binding.node'`);
        }
        return importModule(specifier);
      },
    });
    expect(selection.name).toBe('wasm');
    const native = selection.candidates.find((candidate) => candidate.name === 'tensorflow');
    expect(native?.reason).toContain('its install script did not run');
    expect(native?.reason).toContain('onlyBuiltDependencies');
  });
});

describe('restoreLegacyUtilHelpers', () => {
  it('puts back util.isNullOrUndefined when the running Node lacks it (Node 23+)', () => {
    const util = nodeUtil as unknown as Record<string, unknown>;
    const original = util.isNullOrUndefined;
    delete util.isNullOrUndefined;
    try {
      expect(restoreLegacyUtilHelpers()).toContain('isNullOrUndefined');
      const restored = util.isNullOrUndefined as (value: unknown) => boolean;
      expect([restored(null), restored(undefined), restored(0)]).toEqual([true, true, false]);
    } finally {
      util.isNullOrUndefined = original;
    }
  });
});

/** Stands in for Dawn's `webgpu` package on a machine whose only adapter is `adapter` (or none). */
function fakeDawn(adapter: { description: string; architecture: string; isFallbackAdapter: boolean } | null) {
  const gpu = {
    requestAdapter: async () =>
      adapter === null
        ? null
        : {
            info: { vendor: 'test', device: 'test', ...adapter },
            features: new Set<string>(),
            limits: {},
            requestDevice: async () => ({}),
          },
  };
  return async (specifier: string) =>
    specifier === 'webgpu' ? { create: () => gpu, globals: {} } : importModule(specifier);
}

describe('initBackend and webgpu', () => {
  it('says what to install when the webgpu package is missing', async () => {
    const missing = async (specifier: string) => {
      if (specifier === 'webgpu')
        throw Object.assign(new Error(`Cannot find package 'webgpu' imported from /x`), {
          code: 'ERR_MODULE_NOT_FOUND',
        });
      return importModule(specifier);
    };
    await expect(initBackend({ prefer: 'webgpu', importModule: missing })).rejects.toThrow(
      'Backend `webgpu` was asked for but cannot run here: webgpu is not installed (npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0)',
    );
  });

  it('passes over a software adapter under auto, naming it, and says how to get a GPU', async () => {
    const selection = await initBackend({
      importModule: fakeDawn({
        description: 'llvmpipe (LLVM 15.0.6, 256 bits)',
        architecture: '',
        isFallbackAdapter: false,
      }),
    });
    expect(selection.name).toBe('wasm');
    const webgpu = selection.candidates.find((candidate) => candidate.name === 'webgpu');
    expect(webgpu?.status).toBe('unavailable');
    expect(webgpu?.reason).toContain(
      'only a software adapter was found (llvmpipe (LLVM 15.0.6, 256 bits) (test; software))',
    );
    expect(webgpu?.reason).toContain('ask for `webgpu` by name');
  });

  it('explains an empty adapter list with the driver to install', async () => {
    await expect(initBackend({ prefer: 'webgpu', importModule: fakeDawn(null) })).rejects.toThrow(
      process.platform === 'linux'
        ? /Dawn found no WebGPU adapter\. Linux needs a Vulkan driver.*NVIDIA_DRIVER_CAPABILITIES must include `graphics`/
        : /Dawn found no WebGPU adapter/,
    );
  });
});
