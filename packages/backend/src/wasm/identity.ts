import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { WasmKernelRunner, wasmBackendName } from './wasm-kernel-toolkit.js';

/**
 * Identity that shares the input's bytes (a reference count, as tfjs's cpu backend and wasm's own Reshape
 * do) instead of copying them. The engine clones every tensor it saves for a backward pass through this
 * kernel, about 400 times per DCGAN training step; wasm's kernel copies each one. Sharing also keeps the
 * saved filter the same tensor as the weights, so filters derived from it stay cached (see
 * {@link DerivedFilterCache}), as do wasm's XNNPACK operators, which are cached per filter tensor.
 */
export function identity(args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { x } = inputs;
  if (x.dtype === 'string') return new WasmKernelRunner(backend).runOriginal(Identity, { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: wasmBackendName,
  kernelFunc: identity as unknown as KernelFunc,
};
