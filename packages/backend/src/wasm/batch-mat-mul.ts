import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { WasmKernelRunner, wasmBackendName } from './wasm-kernel-toolkit.js';

/**
 * Batched matrix product with transposed operands. wasm's kernel takes XNNPACK's fast path only when
 * neither operand is transposed and is 10-50x slower otherwise (dense layers' gradients use both), so
 * transposed operands are first transposed explicitly, then the stock kernel runs untransposed.
 */
export function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const runner = new WasmKernelRunner(backend);
  const a = attrs.transposeA ? swapLastTwo(runner, inputs.a) : inputs.a;
  const b = attrs.transposeB ? swapLastTwo(runner, inputs.b) : inputs.b;
  try {
    return runner.runOriginal(BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  } finally {
    if (a !== inputs.a) runner.dispose(a);
    if (b !== inputs.b) runner.dispose(b);
  }
}

function swapLastTwo(runner: WasmKernelRunner, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  if (rank < 2) throw new Error(`Expected BatchMatMul operands of rank >= 2, got shape [${x.shape.join(', ')}].`);
  const perm = x.shape.map((_, axis) => axis);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runner.transpose(x, perm);
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: wasmBackendName,
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
