import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  AvgPool,
  backend_util,
  Mean,
  Sum,
  util,
  type KernelConfig,
  type KernelFunc,
  type SumAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { heapOffset, simdKernels } from './simd-module.js';
import { WasmKernelRunner, sizeOf, wasmBackendName } from './wasm-kernel-toolkit.js';

/**
 * Sum and Mean over the leading axes of a float32 tensor (per-channel reductions over [batch, height, width]
 * of an NHWC tensor: batch norm's statistics and its gradient, the bias-like gradients of broadcasts; about
 * 60 calls per DCGAN training step). wasm's kernels first transpose the reduced axes innermost, then sum
 * each output element in one dependent chain. Here, where the channels are a multiple of 4, our wasm module
 * sums each channel in float64 in row order, 4 channels at a time, and rounds once (as tfjs's cpu backend
 * does; the mean is that sum over the row count in float32, also as on cpu). Otherwise 64 or more rows are one
 * XNNPACK average pooling window (float32 sums, 3-5x faster than a loop) and fewer rows are added into
 * per-channel accumulators in place, in float64. Other reductions go to the stock kernels.
 */
function leadingAxesReduction(kernelName: typeof Sum | typeof Mean, divide: boolean): KernelFunc {
  const reduce = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SumAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const rank = x.shape.length;
    const axes = util.parseAxisParam(attrs.axis, x.shape);
    const leading =
      rank > 1 &&
      x.dtype === 'float32' &&
      axes.length < rank &&
      [...axes].sort((a, b) => a - b).every((axis, index) => axis === index);
    if (!leading || sizeOf(x.shape) === 0)
      return new WasmKernelRunner(backend).runOriginal(
        kernelName,
        { x },
        { axis: attrs.axis, keepDims: attrs.keepDims },
      );
    const rows = sizeOf(x.shape.slice(0, axes.length));
    const outShape = x.shape.slice(axes.length);
    const columns = sizeOf(outShape);
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const kernels = columns % 4 === 0 ? simdKernels(backend) : undefined;
    if (kernels !== undefined) {
      const out = backend.makeOutput(shape, 'float32');
      kernels.columnSums(
        heapOffset(backend, x.dataId),
        heapOffset(backend, out.dataId),
        rows,
        4 * columns,
        divide ? 1 : 0,
        Math.fround(rows),
      );
      return out;
    }
    if (rows >= minimumPooledRows) return pooledMean(backend, x, rows, columns, shape, divide);
    const totals = new Float64Array(columns);
    const source = backend.typedArrayFromHeap(x) as Float32Array;
    sumRows(source, rows, columns, totals);
    const out = backend.makeOutput(shape, 'float32');
    const target = backend.typedArrayFromHeap(out) as Float32Array;
    if (divide) for (let column = 0; column < columns; column++) target[column] = (totals[column] as number) / rows;
    else target.set(totals);
    return out;
  };
  return reduce as unknown as KernelFunc;
}

/** Rows from which XNNPACK's average pooling beats the loop below (3-5x on batch norm's activations). */
const minimumPooledRows = 64;

/**
 * The per-column mean (or sum: the mean times the row count) of a [rows, columns] tensor as one XNNPACK
 * average pooling window over all rows, summed in float32 in a fixed order (the same on any thread count).
 */
function pooledMean(
  backend: BackendWasm,
  x: TensorInfo,
  rows: number,
  columns: number,
  shape: number[],
  divide: boolean,
): TensorInfo {
  const runner = new WasmKernelRunner(backend);
  const column = runner.reshape(x, [1, rows, 1, columns]);
  const pooled = runner.run(AvgPool, { x: column }, { filterSize: [rows, 1], strides: [1, 1], pad: 'valid' });
  runner.dispose(column);
  if (divide) {
    const result = runner.reshape(pooled, shape);
    runner.dispose(pooled);
    return result;
  }
  const out = runner.allocate(shape);
  const source = runner.view(pooled);
  const target = runner.view(out);
  for (let index = 0; index < columns; index++) target[index] = (source[index] as number) * rows;
  runner.dispose(pooled);
  return out;
}

/**
 * totals[column] += source[row * columns + column] over every row, four rows per pass (a quarter of the
 * accumulator loads and stores). Kept apart from the kernel so that its optimised code sees only these types.
 */
function sumRows(source: Float32Array, rows: number, columns: number, totals: Float64Array): void {
  let row = 0;
  for (; row + 4 <= rows; row += 4) {
    const a = row * columns;
    const b = a + columns;
    const c = b + columns;
    const d = c + columns;
    for (let column = 0; column < columns; column++) {
      totals[column] =
        (totals[column] as number) +
        ((source[a + column] as number) +
          (source[b + column] as number) +
          ((source[c + column] as number) + (source[d + column] as number)));
    }
  }
  for (; row < rows; row++) {
    const offset = row * columns;
    for (let column = 0; column < columns; column++)
      totals[column] = (totals[column] as number) + (source[offset + column] as number);
  }
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: wasmBackendName,
  kernelFunc: leadingAxesReduction(Sum, false),
};
export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: wasmBackendName,
  kernelFunc: leadingAxesReduction(Mean, true),
};
