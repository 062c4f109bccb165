import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  Add,
  Greater,
  Multiply,
  RealDiv,
  Sub,
  LeakyRelu,
  Prelu,
  Step,
  type StepAttrs,
  type KernelConfig,
  type KernelFunc,
  type LeakyReluAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { heapOffset, runsHere, simdKernels } from './simd-module.js';
import { WasmKernelRunner, sizeOf, wasmBackendName } from './wasm-kernel-toolkit.js';

/*
 * LeakyReLU and the comparison in its gradient (x > 0), which tfjs-backend-wasm 4.22 runs as loops whose
 * branch on the sign is mispredicted half the time (3.5-4.5 ns per value, 20x an XNNPACK operator): D
 * runs them on every activation three times per step.
 */

/** Per-channel slope tensors for Prelu, by backend, slope and channel count (a handful per process). */
const slopes = new Map<string, { backend: BackendWasm; tensor: TensorInfo }>();
let slopeBackend: BackendWasm | undefined;

/**
 * x < 0 ? alpha * x : x, run as XNNPACK's PReLU with the slope repeated per channel (the same product, rounded
 * the same way: the same bits as wasm's LeakyRelu, 20x faster).
 */
function leakyRelu(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: LeakyReluAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const runner = new WasmKernelRunner(backend);
  const channels = x.shape.length === 0 ? 1 : (x.shape[x.shape.length - 1] as number);
  if (x.dtype !== 'float32' || channels === 0 || sizeOf(x.shape) === 0)
    return runner.runOriginal(LeakyRelu, { x }, { alpha: attrs.alpha });
  const alpha = Math.fround(attrs.alpha);
  if (slopeBackend !== backend) {
    // A new backend (a restart with another thread count) freed the old heap.
    slopes.clear();
    slopeBackend = backend;
  }
  const key = `${alpha},${channels}`;
  let slope = slopes.get(key)?.tensor;
  if (slope === undefined) {
    slope = runner.allocate([channels]);
    runner.view(slope).fill(alpha);
    slopes.set(key, { backend, tensor: slope });
  }
  return runner.run(Prelu, { x, alpha: slope });
}

/** a > b for float32 a and a float32 b of the same shape or a single value, without a branch per value. */
function greater(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { a, b } = inputs;
  const sameShape = a.shape.length === b.shape.length && a.shape.every((size, axis) => size === b.shape[axis]);
  const single = sizeOf(b.shape) === 1 && b.shape.length <= a.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameShape || single))
    return new WasmKernelRunner(backend).runOriginal(Greater, { a, b });
  const out = backend.makeOutput([...a.shape], 'bool');
  const left = backend.typedArrayFromHeap(a) as Float32Array;
  const right = backend.typedArrayFromHeap(b) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Uint8Array;
  if (sameShape) greaterElementwise(left, right, target);
  else greaterThanValue(left, right[0] as number, target);
  return out;
}

// The loops are kept apart from the kernels so that their optimised code sees only these types.
function greaterElementwise(left: Float32Array, right: Float32Array, target: Uint8Array): void {
  for (let index = 0; index < left.length; index++)
    target[index] = +((left[index] as number) > (right[index] as number));
}

function greaterThanValue(left: Float32Array, threshold: number, target: Uint8Array): void {
  for (let index = 0; index < left.length; index++) target[index] = +((left[index] as number) > threshold);
}

/**
 * x > 0 ? 1 : alpha (NaN where x is NaN, as on tfjs's cpu backend) in one branch-free pass of our wasm module:
 * LeakyReLU's gradient takes it of every activation of D, three times per step; wasm's kernel is a scalar loop.
 */
function step(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: StepAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const kernels = x.dtype === 'float32' && sizeOf(x.shape) > 0 ? simdKernels(backend) : undefined;
  if (kernels === undefined) return new WasmKernelRunner(backend).runOriginal(Step, { x }, { alpha: attrs.alpha });
  const out = backend.makeOutput([...x.shape], 'float32');
  kernels.step(heapOffset(backend, x.dataId), heapOffset(backend, out.dataId), sizeOf(x.shape), attrs.alpha);
  return out;
}

/** Frees the slope tensors LeakyRelu keeps on the wasm heap. */
export function clearLeakyReluSlopes(): void {
  for (const { backend, tensor } of slopes.values()) {
    // A backend that was disposed (removeBackend, a thread-count change) freed its heap already.
    if ((backend as { wasm?: unknown }).wasm != null && backend.dataIdMap.has(tensor.dataId))
      backend.disposeData(tensor.dataId);
  }
  slopes.clear();
}

export const leakyReluConfig: KernelConfig = {
  kernelName: LeakyRelu,
  backendName: wasmBackendName,
  kernelFunc: leakyRelu as unknown as KernelFunc,
};
export const greaterConfig: KernelConfig = {
  kernelName: Greater,
  backendName: wasmBackendName,
  kernelFunc: greater as unknown as KernelFunc,
};
export const stepConfig: KernelConfig = {
  kernelName: Step,
  backendName: wasmBackendName,
  kernelFunc: step as unknown as KernelFunc,
};

/**
 * Add, Sub, Multiply and RealDiv of float32 tensors of the same shape, or with one side a per-channel row
 * (the last axis) or a single value, in one pass of our wasm module: the same IEEE float32 results as wasm's
 * kernels, which create, run and delete an XNNPACK operator on every call (about 250 calls of a DCGAN training
 * step, most on batch norm's and LeakyReLU's gradients). Other shapes and dtypes: the stock kernels.
 */
function binaryKernel(kernelName: string, operation: 'add' | 'sub' | 'mul' | 'div', commutative: boolean): KernelFunc {
  const kernel = (args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm }): TensorInfo => {
    const { inputs, backend } = args;
    const plan = binaryPlan(inputs.a, inputs.b, commutative);
    const kernels =
      plan === undefined || !runsHere(backend, sizeOf(plan.full.shape)) ? undefined : simdKernels(backend);
    if (plan === undefined || kernels === undefined)
      return new WasmKernelRunner(backend).runOriginal(kernelName, { a: inputs.a, b: inputs.b });
    const { full, other, rows, scalar } = plan;
    const out = backend.makeOutput([...full.shape], 'float32');
    kernels[operation](
      heapOffset(backend, full.dataId),
      heapOffset(backend, other.dataId),
      heapOffset(backend, out.dataId),
      rows,
      (4 * sizeOf(full.shape)) / rows,
      scalar ? 1 : 0,
    );
    return out;
  };
  return kernel as unknown as KernelFunc;
}

/**
 * How {@link binaryKernel} runs `a OP b`: `full` (a, or b for a commutative operation) has the output's shape
 * and `other` is the same shape (one row), a row of its last axis (broadcast over the rows) or one value.
 */
function binaryPlan(
  a: TensorInfo,
  b: TensorInfo,
  commutative: boolean,
): { full: TensorInfo; other: TensorInfo; rows: number; scalar: boolean } | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || sizeOf(a.shape) === 0 || sizeOf(b.shape) === 0)
    return undefined;
  const fits = (full: TensorInfo, other: TensorInfo) => {
    const size = sizeOf(full.shape);
    if (other.shape.length > full.shape.length) return undefined;
    if (other.shape.length === full.shape.length && other.shape.every((extent, axis) => extent === full.shape[axis]))
      return { full, other, rows: 1, scalar: false };
    if (sizeOf(other.shape) === 1) return { full, other, rows: 1, scalar: true };
    const channels = full.shape[full.shape.length - 1] as number;
    const row =
      other.shape[other.shape.length - 1] === channels &&
      other.shape.slice(0, -1).every((extent) => extent === 1) &&
      channels % 4 === 0;
    return row ? { full, other, rows: size / channels, scalar: false } : undefined;
  };
  return fits(a, b) ?? (commutative ? fits(b, a) : undefined);
}

/** The kernel config of one same-shape / per-channel float32 binary operation. */
function binaryConfig(
  kernelName: string,
  operation: 'add' | 'sub' | 'mul' | 'div',
  commutative: boolean,
): KernelConfig {
  return { kernelName, backendName: wasmBackendName, kernelFunc: binaryKernel(kernelName, operation, commutative) };
}

export const addConfig = binaryConfig(Add, 'add', true);
export const subConfig = binaryConfig(Sub, 'sub', false);
export const multiplyConfig = binaryConfig(Multiply, 'mul', true);
export const realDivConfig = binaryConfig(RealDiv, 'div', false);
