import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

import { copyStrided, stridesOf } from './simd-module.js';

/** The backend name these kernels are registered for. */
export const wasmBackendName = 'wasm';

/**
 * The wasm kernels that were registered before ours replaced them, by kernel name. Our kernels delegate to
 * these (never to themselves) when they need the stock behaviour.
 */
export const originalWasmKernels = new Map<string, ReturnType<typeof getKernel>>();

/**
 * Runs other wasm kernels directly from inside a kernel (bypassing the engine, so nothing is recorded on the
 * gradient tape and nothing is tracked as a tensor) and frees the intermediates they make.
 */
export class WasmKernelRunner {
  readonly backend: BackendWasm;

  constructor(backend: BackendWasm) {
    this.backend = backend;
  }

  /** Runs the kernel currently registered on wasm under `kernelName` (ours where we replaced it). */
  run(kernelName: string, inputs: NamedTensorInfoMap, attributes: NamedAttrMap = {}): TensorInfo {
    const config = getKernel(kernelName, wasmBackendName);
    if (config === undefined)
      throw new Error(`Expected the wasm backend to have kernel \`${kernelName}\`, but it is not registered.`);
    return runConfig(config, kernelName, inputs, attributes, this.backend);
  }

  /** Runs the stock wasm kernel `kernelName`, even where ours replaced it. */
  runOriginal(kernelName: string, inputs: NamedTensorInfoMap, attributes: NamedAttrMap = {}): TensorInfo {
    const config = originalWasmKernels.get(kernelName);
    if (config === undefined) {
      throw new Error(
        `Expected the stock wasm kernel \`${kernelName}\` to have been kept by registerWasmTrainingKernels(); call it before running this kernel.`,
      );
    }
    return runConfig(config, kernelName, inputs, attributes, this.backend);
  }

  /**
   * x with its axes permuted. Float32 tensors of rank <= 4 are copied by our wasm module (see simd-module.ts)
   * where whole rows move (the last axis stays last) or where the last axes of x and of the result both hold a
   * multiple of 4 values (4x4 blocks transposed in registers): 1.5-3x tfjs's Transpose. Other permutations go
   * to tfjs's Transpose, which moves single values faster than a loop of ours (measured: 2x).
   */
  transpose(x: TensorInfo, perm: readonly number[]): TensorInfo {
    const rank = x.shape.length;
    const shape = perm.map((axis) => x.shape[axis] as number);
    const inBlocks = (x.shape[rank - 1] as number) % 4 === 0 && (shape[rank - 1] as number) % 4 === 0;
    const rowsMove = perm[rank - 1] === rank - 1;
    if (!(rowsMove || inBlocks) || x.dtype !== 'float32' || rank > 4 || sizeOf(x.shape) === 0)
      return this.run('Transpose', { x }, { perm: [...perm] });
    const out = this.allocate(shape);
    const sourceStrides = stridesOf(x.shape);
    const targetStrides = stridesOf(shape);
    copyStrided(
      this.backend,
      { tensor: x, start: 0 },
      { tensor: out, start: 0 },
      perm.map((axis, index) => ({
        size: shape[index] as number,
        from: sourceStrides[axis] as number,
        to: targetStrides[index] as number,
      })),
    );
    return out;
  }

  reshape(x: TensorInfo, shape: readonly number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape: [...shape] });
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
    return this.run('Slice', { x }, { begin: [...begin], size: [...size] });
  }

  /** A float32 view of the tensor's bytes on the wasm heap (valid until the heap grows). */
  view(x: TensorInfo): Float32Array {
    return this.backend.typedArrayFromHeap(x) as Float32Array;
  }

  /** A new float32 output tensor on the wasm heap; zero-filled when `zero` is set. */
  allocate(shape: readonly number[], zero = false): TensorInfo {
    const out = this.backend.makeOutput([...shape], 'float32');
    if (zero) this.view(out).fill(0);
    return out;
  }

  dispose(...tensors: ReadonlyArray<TensorInfo | undefined>): void {
    for (const tensor of tensors) if (tensor !== undefined) this.backend.disposeData(tensor.dataId);
  }
}

function runConfig(
  config: NonNullable<ReturnType<typeof getKernel>>,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attributes: NamedAttrMap,
  backend: BackendWasm,
): TensorInfo {
  const result = config.kernelFunc({ inputs, attrs: attributes, backend });
  if (Array.isArray(result)) {
    const [first, ...rest] = result;
    for (const extra of rest) backend.disposeData(extra.dataId);
    if (first === undefined) throw new Error(`Expected wasm kernel \`${kernelName}\` to return a tensor, got none.`);
    return first;
  }
  return result as TensorInfo;
}

/** Product of the dimensions. */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dimension of shape) size *= dimension;
  return size;
}

/**
 * Whether a convolution's filter spans its whole (unpadded) input, so each image has one output pixel: its
 * gradients are then plain matrix products.
 */
export function coversWholeInput(
  info: { outHeight: number; outWidth: number; padInfo: { top: number; left: number } },
  filterHeight: number,
  filterWidth: number,
  height: number,
  width: number,
): boolean {
  return (
    info.outHeight === 1 &&
    info.outWidth === 1 &&
    filterHeight === height &&
    filterWidth === width &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0
  );
}
