import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Tile, type KernelConfig, type KernelFunc, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs-core';

import { WasmKernelRunner, sizeOf, wasmBackendName } from './wasm-kernel-toolkit.js';

/** Inputs with more rows than this go to the stock kernel: the per-row JavaScript cost would dominate. */
const maximumRowsForBlockCopies = 4096;

/**
 * Tile built from block copies (`copyWithin`, i.e. memmove) on the wasm heap. Batch norm's gradient tiles a
 * [1, 1, 1, C] tensor to the full activation shape every step; wasm's element-by-element kernel takes
 * 5-10 ms for that, block copies well under 1 ms.
 *
 * The last axis of every input row is written, then replicated by doubling; then, from the innermost axis
 * outwards, each filled block is replicated by doubling along its axis.
 */
export function tile(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const runner = new WasmKernelRunner(backend);
  const shape = x.shape;
  const rank = shape.length;
  const reps = attrs.reps;
  if (reps.length !== rank) {
    throw new Error(`Expected Tile reps of length ${rank} (the rank of x), got [${reps.join(', ')}].`);
  }
  const rowLength = rank === 0 ? 1 : (shape[rank - 1] as number);
  const rows = rank === 0 ? 1 : sizeOf(shape.slice(0, -1));
  if (x.dtype === 'string' || rows > maximumRowsForBlockCopies)
    return runner.runOriginal(Tile, { x }, { reps: [...reps] });

  const outShape = shape.map((dimension, axis) => dimension * (reps[axis] as number));
  const out = backend.makeOutput(outShape, x.dtype);
  if (sizeOf(outShape) === 0) return out;
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  if (rank === 0) {
    target.set(source);
    return out;
  }
  // Output strides.
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= outShape[axis] as number;
  }
  const lastRepeat = reps[rank - 1] as number;
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let row = 0; row < rows; row++) {
    let offset = 0;
    for (let axis = 0; axis < rank - 1; axis++) offset += (index[axis] as number) * (strides[axis] as number);
    target.set(source.subarray(row * rowLength, (row + 1) * rowLength), offset);
    replicate(target, offset, rowLength, rowLength * lastRepeat);
    increment(index, shape);
  }
  for (let axis = rank - 2; axis >= 0; axis--) {
    const block = (shape[axis] as number) * (strides[axis] as number);
    const total = (outShape[axis] as number) * (strides[axis] as number);
    if (block === total) continue;
    const prefix = new Array<number>(axis).fill(0);
    const prefixCount = sizeOf(shape.slice(0, axis));
    for (let count = 0; count < prefixCount; count++) {
      let offset = 0;
      for (let outer = 0; outer < axis; outer++) offset += (prefix[outer] as number) * (strides[outer] as number);
      replicate(target, offset, block, total);
      increment(prefix, shape);
    }
  }
  return out;
}

/** Fills target[start + block, start + total) with copies of target[start, start + block), doubling each time. */
function replicate(
  target: { copyWithin(to: number, from: number, end: number): unknown },
  start: number,
  block: number,
  total: number,
): void {
  let filled = block;
  while (filled < total) {
    const length = Math.min(filled, total - filled);
    target.copyWithin(start + filled, start, start + length);
    filled += length;
  }
}

/** Advances a row-major multi-index over the leading axes of `shape` (as many as the index has). */
function increment(index: number[], shape: readonly number[]): void {
  for (let axis = index.length - 1; axis >= 0; axis--) {
    const next = (index[axis] as number) + 1;
    if (next < (shape[axis] as number)) {
      index[axis] = next;
      return;
    }
    index[axis] = 0;
  }
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: wasmBackendName,
  kernelFunc: tile as unknown as KernelFunc,
};
