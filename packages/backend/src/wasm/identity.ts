import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  Cast,
  Identity,
  type CastAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

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

/**
 * Cast to the dtype the tensor already has shares its bytes as {@link identity} does (as tfjs's cpu backend's
 * Cast does); wasm's kernel copies them. tfjs-layers casts activations to float32 on the way through its
 * layers and their gradients, about 30 times per DCGAN training step. Other casts: the stock kernel.
 */
function cast(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: CastAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (attrs.dtype !== x.dtype || x.dtype === 'string' || x.dtype === 'complex64')
    return new WasmKernelRunner(backend).runOriginal(Cast, { x }, { dtype: attrs.dtype });
  return identity({ inputs, backend });
}

export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: wasmBackendName,
  kernelFunc: cast as unknown as KernelFunc,
};
