import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Mean,
  Sum,
  util,
  type KernelConfig,
  type KernelFunc,
  type SumAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { WasmKernelRunner, sizeOf, wasmBackendName } from './wasm-kernel-toolkit.js';

/**
 * Sum and Mean over the leading axes of a float32 tensor (per-channel reductions over [batch, height, width]
 * of an NHWC tensor: batch norm's statistics and its gradient, the bias-like gradients of broadcasts; about
 * 60 calls per DCGAN training step). wasm's kernels first transpose the reduced axes innermost, then sum
 * each output element in one dependent chain; here each input row is added into per-channel accumulators
 * in place, in float64 (rounded once at the end, like tfjs's cpu backend). Other reductions go to the
 * stock kernels.
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
    const totals = new Float64Array(columns);
    const source = backend.typedArrayFromHeap(x) as Float32Array;
    sumRows(source, rows, columns, totals);
    const out = backend.makeOutput(
      attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape,
      'float32',
    );
    const target = backend.typedArrayFromHeap(out) as Float32Array;
    if (divide) for (let column = 0; column < columns; column++) target[column] = (totals[column] as number) / rows;
    else target.set(totals);
    return out;
  };
  return reduce as unknown as KernelFunc;
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
