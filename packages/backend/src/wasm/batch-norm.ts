import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  Add,
  FusedBatchNorm,
  Multiply,
  Sub,
  type FusedBatchNormAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { heapOffset, runsHere, simdKernels } from './simd-module.js';
import { WasmKernelRunner, sizeOf, wasmBackendName } from './wasm-kernel-toolkit.js';

interface BatchNormInputs {
  x: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
  offset?: TensorInfo;
  scale?: TensorInfo;
}

/**
 * Batch normalisation with per-channel (last axis) statistics: (x - mean) · (scale / sqrt(variance + ε)) +
 * offset, the per-channel factor worked out once in float64 and the rest, with the float32 roundings of
 * three broadcasting element-wise operators, in one pass of our wasm module (see simd-module.ts) where the
 * channels are a multiple of 4, else as three of XNNPACK's operators. wasm's own kernel is a scalar loop with an index computation per
 * operand and value, about 4 ns per value, 3-4x these three; DCGAN training runs it on every batch-normalised
 * activation. Other shapes and dtypes go to the stock kernel.
 */
function batchNorm(args: { inputs: BatchNormInputs; backend: BackendWasm; attrs: FusedBatchNormAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, mean, variance, offset, scale } = inputs;
  const runner = new WasmKernelRunner(backend);
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const perChannel = (tensor: TensorInfo | undefined) =>
    tensor === undefined ||
    (tensor.dtype === 'float32' &&
      tensor.shape.length <= x.shape.length &&
      tensor.shape[tensor.shape.length - 1] === channels &&
      sizeOf(tensor.shape) === channels);
  if (
    x.dtype !== 'float32' ||
    channels === 0 ||
    sizeOf(x.shape) === 0 ||
    ![mean, variance, offset, scale].every(perChannel)
  ) {
    return runner.runOriginal(FusedBatchNorm, { ...inputs }, { varianceEpsilon: attrs.varianceEpsilon });
  }
  const factor = runner.allocate([channels]);
  fillFactors(
    runner.view(variance),
    scale === undefined ? undefined : runner.view(scale),
    attrs.varianceEpsilon,
    runner.view(factor),
  );
  const kernels = channels % 4 === 0 && runsHere(backend, sizeOf(x.shape)) ? simdKernels(backend) : undefined;
  if (kernels !== undefined) {
    // The three operations below in one pass of our wasm module (the same float32 roundings, the same bits).
    const out = runner.allocate(x.shape);
    const offsetOf = (tensor: TensorInfo) => heapOffset(backend, tensor.dataId);
    kernels.normalize(
      offsetOf(x),
      offsetOf(mean),
      offsetOf(factor),
      offset === undefined ? 0 : offsetOf(offset),
      offsetOf(out),
      sizeOf(x.shape) / channels,
      4 * channels,
      offset === undefined ? 0 : 1,
    );
    runner.dispose(factor);
    return out;
  }
  const flatMean = runner.reshape(mean, [channels]);
  const centred = runner.run(Sub, { a: x, b: flatMean });
  const scaled = runner.run(Multiply, { a: centred, b: factor });
  runner.dispose(flatMean, centred, factor);
  if (offset === undefined) return scaled;
  const flatOffset = runner.reshape(offset, [channels]);
  const result = runner.run(Add, { a: scaled, b: flatOffset });
  runner.dispose(flatOffset, scaled);
  return result;
}

/** factor[c] = scale[c] / sqrt(variance[c] + ε), in float64 (scale 1 when absent), rounded once. */
function fillFactors(
  variance: Float32Array,
  scale: Float32Array | undefined,
  epsilon: number,
  factor: Float32Array,
): void {
  for (let channel = 0; channel < factor.length; channel++) {
    const gain = scale === undefined ? 1 : (scale[channel] as number);
    factor[channel] = gain / Math.sqrt((variance[channel] as number) + epsilon);
  }
}

export const batchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: wasmBackendName,
  kernelFunc: batchNorm as unknown as KernelFunc,
};
