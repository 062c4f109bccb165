import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2D,
  FusedConv2D,
  type Conv2DAttrs,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { originalWasmKernels, sizeOf, WasmKernelRunner, wasmBackendName } from '../wasm-kernel-toolkit.js';
import type { KernelWorker, WorkerKernelInput } from './kernel-worker.js';

/**
 * Convolutions with fewer multiply-adds (x2) than this run on the main thread alone: handing half a batch to
 * the worker costs copies and two thread wake-ups (tens of microseconds each, more on a loaded machine).
 */
export const defaultMinimumSplitFlops = 4_000_000;

let minimumSplitFlops = defaultMinimumSplitFlops;
let activeWorker: KernelWorker | undefined;

/** The worker that split kernels hand half their batch to, or undefined to run everything here. */
export function setSplitKernelWorker(worker: KernelWorker | undefined): void {
  activeWorker = worker;
}

/** Sets the size below which convolutions stay on the main thread (tests split tiny models with 0). */
export function setMinimumSplitFlops(flops: number = defaultMinimumSplitFlops): void {
  if (!(flops >= 0)) throw new Error(`Expected \`flops\` to be >= 0, got \`${flops}\``);
  minimumSplitFlops = flops;
}

export function splitKernelWorker(): KernelWorker | undefined {
  return activeWorker;
}

type ConvolutionInputs = { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };

/**
 * Runs a stock wasm convolution (`Conv2D`, `FusedConv2D`) on two threads when a worker is active and the
 * call is large enough: the worker gets the second half of the batch (its filter, bias and PReLU weights are
 * sent once per weight tensor and kept there), the main thread computes the first half meanwhile, and the
 * halves are joined along the batch axis. Each example is computed by the same XNNPACK code either way, so
 * the result is the same bits as on one thread.
 *
 * This also speeds up our `Conv2DBackpropInput` (its sub-pixel phases are `Conv2D` calls on the batch) and
 * `Conv2DBackpropFilter` (one `Conv2D` whose batch is the input's channels).
 */
function splitConvolution(kernelName: string, args: { inputs: ConvolutionInputs; backend: BackendWasm; attrs: Conv2DAttrs | FusedConv2DAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const original = originalWasmKernels.get(kernelName);
  if (original === undefined) {
    throw new Error(`Expected the stock wasm kernel \`${kernelName}\` to have been kept by registerWasmTrainingKernels().`);
  }
  const runOriginal = (x: TensorInfo) => original.kernelFunc({ inputs: { ...inputs, x }, backend, attrs: attrs as unknown as NamedAttrMap }) as TensorInfo;
  const worker = activeWorker;
  const { x, filter } = inputs;
  const batch = x.shape[0] ?? 0;
  if (worker === undefined || batch < 2 || x.dtype !== 'float32' || convolutionFlops(x, filter, attrs) < minimumSplitFlops) return runOriginal(x);

  const runner = new WasmKernelRunner(backend);
  const workerBatch = Math.floor(batch / 2);
  const mainBatch = batch - workerBatch;
  const exampleSize = sizeOf(x.shape.slice(1));
  const workerInputs: WorkerKernelInput[] = [
    { name: 'x', shape: [workerBatch, ...x.shape.slice(1)], values: () => runner.view(x).subarray(mainBatch * exampleSize) },
  ];
  for (const name of ['filter', 'bias', 'preluActivationWeights'] as const) {
    const input = inputs[name];
    if (input !== undefined) workerInputs.push({ name, shape: input.shape, values: () => runner.view(input), cacheKey: input.dataId });
  }
  worker.submit(kernelName, workerInputs, { ...attrs }, (key) => backend.dataIdMap.has(key));

  let output: TensorInfo | undefined;
  let mainSize = 0;
  try {
    const mainInput = runner.allocate([mainBatch, ...x.shape.slice(1)]);
    runner.view(mainInput).set(runner.view(x).subarray(0, mainBatch * exampleSize));
    let mainOutput: TensorInfo;
    try {
      mainOutput = runOriginal(mainInput);
    } finally {
      runner.dispose(mainInput);
    }
    output = runner.allocate([batch, ...mainOutput.shape.slice(1)]);
    const mainValues = runner.view(mainOutput);
    mainSize = mainValues.length;
    runner.view(output).set(mainValues);
    runner.dispose(mainOutput);
  } catch (error) {
    // Keep the hand-off in step before reporting the main thread's failure.
    try {
      worker.collect();
    } catch {
      // The main thread's error is the one to report.
    }
    runner.dispose(output);
    throw error;
  }
  try {
    const { values } = worker.collect();
    const target = runner.view(output);
    if (values.length !== target.length - mainSize) {
      throw new Error(`Expected the wasm worker's half of ${kernelName} to have ${target.length - mainSize} values, got ${values.length}.`);
    }
    target.set(values, mainSize);
  } catch (error) {
    runner.dispose(output);
    throw error;
  }
  return output;
}

/** Multiply-adds x2 of a convolution (any data format). */
export function convolutionFlops(x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): number {
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    attrs.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
  );
  return 2 * sizeOf(info.outShape) * info.filterHeight * info.filterWidth * info.inChannels;
}

export const splitConv2dConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: wasmBackendName,
  kernelFunc: ((args: Parameters<typeof splitConvolution>[1]) => splitConvolution(Conv2D, args)) as unknown as KernelFunc,
};

export const splitFusedConv2dConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: wasmBackendName,
  kernelFunc: ((args: Parameters<typeof splitConvolution>[1]) => splitConvolution(FusedConv2D, args)) as unknown as KernelFunc,
};
