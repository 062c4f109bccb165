import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { WasmKernelRunner, sizeOf, wasmBackendName } from './wasm-kernel-toolkit.js';

/**
 * Untransposed b operands (by data id) seen before. wasm's kernel packs b into an XNNPACK operator, about
 * 7 ns per value, 5-20x the product itself for a dense layer's weights, and caches it by b: worth it only for
 * a b that is multiplied again (fixed weights); a b seen for the first time is not packed (see below).
 */
const seenOperands = new WeakSet<object>();

/** Relative costs per value of packing a new b operand and of a transpose (measured on DCGAN's shapes). */
const packCost = 4;
const transposeCost = 1;

/**
 * Batched matrix product with transposed operands. wasm's kernel takes XNNPACK's fast path only when
 * neither operand is transposed and is 10-50x slower otherwise (dense layers' gradients use both), so
 * transposed operands are first transposed explicitly, then the stock kernel runs untransposed.
 *
 * Where b is new to the kernel (weights that changed since the last product, as in every training step) and
 * large next to a, the product is worked out as (bᵀ aᵀ)ᵀ instead, so that the small aᵀ is the operand packed:
 * G's projection of z (16x100 by 100x2048) then takes 0.7 ms instead of 1.8.
 */
export function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const runner = new WasmKernelRunner(backend);
  if (worthSwapping(inputs.a, inputs.b, attrs)) return swappedProduct(runner, inputs.a, inputs.b, attrs);
  const a = attrs.transposeA ? swapLastTwo(runner, inputs.a) : inputs.a;
  const b = attrs.transposeB ? swapLastTwo(runner, inputs.b) : inputs.b;
  try {
    return runner.runOriginal(BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  } finally {
    if (a !== inputs.a) runner.dispose(a);
    if (b !== inputs.b) runner.dispose(b);
  }
}

/** Whether (bᵀ aᵀ)ᵀ costs less than packing b: one product (no batch), b new to the kernel and large. */
function worthSwapping(a: TensorInfo, b: TensorInfo, attrs: BatchMatMulAttrs): boolean {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || sizeOf(a.shape) === 0 || sizeOf(b.shape) === 0) return false;
  if (sizeOf(a.shape.slice(0, -2)) !== 1 || sizeOf(b.shape.slice(0, -2)) !== 1) return false;
  // A b passed untransposed a second time is probably fixed weights: packed once, then cached.
  if (!attrs.transposeB) {
    if (seenOperands.has(b.dataId)) return false;
    seenOperands.add(b.dataId);
  }
  const rows = a.shape[attrs.transposeA ? a.shape.length - 1 : a.shape.length - 2] as number;
  const inner = a.shape[attrs.transposeA ? a.shape.length - 2 : a.shape.length - 1] as number;
  const columns = b.shape[attrs.transposeB ? b.shape.length - 2 : b.shape.length - 1] as number;
  const stock = packCost * inner * columns + (attrs.transposeA ? transposeCost * rows * inner : 0);
  const swapped =
    packCost * inner * rows +
    transposeCost * (rows * columns + (attrs.transposeB ? 0 : inner * columns) + (attrs.transposeA ? 0 : rows * inner));
  return swapped < stock;
}

/** a·b as (bᵀ·aᵀ)ᵀ, each operand transposed only where it is not given transposed already. */
function swappedProduct(runner: WasmKernelRunner, a: TensorInfo, b: TensorInfo, attrs: BatchMatMulAttrs): TensorInfo {
  const left = attrs.transposeB ? b : swapLastTwo(runner, b);
  const right = attrs.transposeA ? a : swapLastTwo(runner, a);
  try {
    const product = runner.runOriginal(BatchMatMul, { a: left, b: right }, { transposeA: false, transposeB: false });
    const result = swapLastTwo(runner, product);
    runner.dispose(product);
    return result;
  } finally {
    if (left !== b) runner.dispose(left);
    if (right !== a) runner.dispose(right);
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
