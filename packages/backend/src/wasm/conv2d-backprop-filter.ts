import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  BatchMatMul,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { copyStrided } from './simd-module.js';
import { WasmKernelRunner, coversWholeInput, wasmBackendName } from './wasm-kernel-toolkit.js';

/**
 * The filter gradient of a 2-D convolution, for any stride, padding ('same', 'valid', explicit, numeric)
 * and data format.
 *
 * dW[kh, kw, ci, co] = sum over b, oh, ow of x[b, oh*sh + kh - padTop, ow*sw + kw - padLeft, ci] * dy[b, oh, ow, co]
 *
 * which is itself a stride-1 convolution with dilation (sh, sw): the input is x laid out as [Cin, H, W, B] (the
 * batch becomes the channels), the "filter" is dy laid out as [OH, OW, B, Cout], and the result is
 * [Cin, KH, KW, Cout]. XNNPACK's dilated convolution runs that at about the speed of the forward pass.
 */
export function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const runner = new WasmKernelRunner(backend);
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const x = channelsFirst ? runner.transpose(inputs.x, [0, 2, 3, 1]) : inputs.x;
  const dy = channelsFirst ? runner.transpose(inputs.dy, [0, 2, 3, 1]) : inputs.dy;
  try {
    const filterShape = attrs.filterShape as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
    const [filterHeight, filterWidth] = filterShape;
    const outChannels = filterShape[3];
    const expectedDyShape = [batch, info.outHeight, info.outWidth, outChannels];
    if (dy.shape.join() !== expectedDyShape.join()) {
      throw new Error(
        `Expected Conv2DBackpropFilter dy of shape [${expectedDyShape.join(', ')}], got [${dy.shape.join(', ')}].`,
      );
    }
    if (inChannels !== filterShape[2]) {
      throw new Error(`Expected Conv2DBackpropFilter x to have ${filterShape[2]} channels, got ${inChannels}.`);
    }
    const { strideHeight, strideWidth } = info;
    const padTop = info.padInfo.top;
    const padLeft = info.padInfo.left;
    const padBottom = (info.outHeight - 1) * strideHeight + filterHeight - height - padTop;
    const padRight = (info.outWidth - 1) * strideWidth + filterWidth - width - padLeft;
    // Negative bottom/right padding means the last input rows/columns are never read: pad by zero instead
    // and crop the extra filter rows/columns this yields.
    const extraRows = Math.max(0, -padBottom);
    const extraColumns = Math.max(0, -padRight);

    if (coversWholeInput(info, filterHeight, filterWidth, height, width)) {
      // One output pixel per image (a layer whose filter spans its input, as D's logit layer): dW = xᵀ·dy, one
      // product where a convolution would pack dy and run a 1-pixel window over padding.
      const flatX = runner.reshape(x, [1, batch, height * width * inChannels]);
      const flatDy = runner.reshape(dy, [1, batch, outChannels]);
      const product = runner.run(BatchMatMul, { a: flatX, b: flatDy }, { transposeA: true, transposeB: false });
      runner.dispose(flatX, flatDy);
      const result = runner.reshape(product, filterShape);
      runner.dispose(product);
      return result;
    }
    const plan = spaceToDepthPlan(x.shape, dy.shape, filterShape, [strideHeight, strideWidth], [padTop, padLeft]);
    if (plan !== undefined) return filterGradientBySpaceToDepth(runner, x, dy, plan, padTop, padLeft);

    const xByChannel = runner.transpose(x, [3, 1, 2, 0]);
    const dyAsFilter = runner.transpose(dy, [1, 2, 0, 3]);
    const product = runner.run(
      'Conv2D',
      { x: xByChannel, filter: dyAsFilter },
      {
        strides: [1, 1],
        dilations: [strideHeight, strideWidth],
        pad: [
          [0, 0],
          [padTop, Math.max(0, padBottom)],
          [padLeft, Math.max(0, padRight)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    runner.dispose(xByChannel, dyAsFilter);
    let cropped = product;
    if (extraRows > 0 || extraColumns > 0) {
      cropped = runner.slice(product, [0, 0, 0, 0], [inChannels, filterHeight, filterWidth, outChannels]);
      runner.dispose(product);
    }
    const result = runner.transpose(cropped, [1, 2, 0, 3]);
    runner.dispose(cropped);
    return result;
  } finally {
    if (channelsFirst) runner.dispose(x, dy);
  }
}

/** The shapes of {@link filterGradientBySpaceToDepth}, where it is worth running. */
interface SpaceToDepthPlan {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  /** Filter taps per phase: ceil(filter size / stride). */
  readonly tapRows: number;
  readonly tapColumns: number;
  /** dy's spatial size. */
  readonly dyHeight: number;
  readonly dyWidth: number;
}

/**
 * Where x has few channels next to dy (a network's first layer: 3 colour channels against 32 or more), the
 * dilated convolution above packs dy, the larger operand, into an XNNPACK operator on every call (about
 * 8 ns per value, more than the product itself). {@link filterGradientBySpaceToDepth} packs x instead.
 * Chosen when x, laid out as that filter, has at most 3/4 of dy's values and the products grow by at most half.
 */
export function spaceToDepthPlan(
  xShape: readonly number[],
  dyShape: readonly number[],
  filterShape: readonly number[],
  [strideHeight, strideWidth]: [number, number],
  [padTop, padLeft]: [number, number],
): SpaceToDepthPlan | undefined {
  const [batch, height, width, inChannels] = xShape as [number, number, number, number];
  const [, dyHeight, dyWidth, outChannels] = dyShape as [number, number, number, number];
  const [filterHeight, filterWidth] = filterShape as [number, number];
  const tapRows = Math.ceil(filterHeight / strideHeight);
  const tapColumns = Math.ceil(filterWidth / strideWidth);
  const filterValues =
    (dyHeight + tapRows - 1) * (dyWidth + tapColumns - 1) * batch * strideHeight * strideWidth * inChannels;
  const dyValues = batch * dyHeight * dyWidth * outChannels;
  const products = outChannels * tapRows * tapColumns * filterValues;
  const dilatedProducts = inChannels * filterHeight * filterWidth * dyValues;
  if (filterValues > 0.75 * dyValues || products > 1.5 * dilatedProducts) return undefined;
  // Padding that reaches past every row or column read (possible with explicit padding): the other way.
  if (padTop >= strideHeight * (dyHeight + tapRows - 1) || padLeft >= strideWidth * (dyWidth + tapColumns - 1))
    return undefined;
  return {
    batch,
    height,
    width,
    inChannels,
    outChannels,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    tapRows,
    tapColumns,
    dyHeight,
    dyWidth,
  };
}

/**
 * The filter gradient with x as the convolution's filter. With a filter row kh = s·a + p (phase p < s, tap
 * a < A = ceil(KH / s)) and S the zero-padded x rearranged space-to-depth, S[b, u, v, (p, q, ci)] =
 * xpad[b, s·u + p, s·v + q, ci] (u < OH + A - 1),
 *
 *   dW[s·a + p, s·c + q, ci, co] = sum over b, oh, ow of S[b, oh + a, ow + c, (p, q, ci)] · dy[b, oh, ow, co]
 *
 * which is a stride-1 convolution of dy laid out as [Cout, OH, OW, B] (padding A - 1, C - 1 on each side)
 * with S laid out as the filter [OH + A - 1, OW + C - 1, B, s·s·Cin]: its output [Cout, A, C, s·s·Cin] holds
 * dW with the taps reversed.
 */
function filterGradientBySpaceToDepth(
  runner: WasmKernelRunner,
  x: TensorInfo,
  dy: TensorInfo,
  plan: SpaceToDepthPlan,
  padTop: number,
  padLeft: number,
): TensorInfo {
  const { batch, inChannels, outChannels, strideHeight, strideWidth, tapRows, tapColumns } = plan;
  const rows = plan.dyHeight + tapRows - 1;
  const columns = plan.dyWidth + tapColumns - 1;
  const filter = runner.allocate([rows, columns, batch, strideHeight * strideWidth * inChannels], true);
  spaceToDepth(runner, x, filter, plan, padTop, padLeft);
  const dyByChannel = runner.transpose(dy, [3, 1, 2, 0]);
  const product = runner.run(
    'Conv2D',
    { x: dyByChannel, filter },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [tapRows - 1, tapRows - 1],
        [tapColumns - 1, tapColumns - 1],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
  runner.dispose(filter, dyByChannel);
  const result = runner.allocate([plan.filterHeight, plan.filterWidth, inChannels, outChannels]);
  gatherFilterGradient(runner.view(product), runner.view(result), plan);
  runner.dispose(product);
  return result;
}

/**
 * S[u, v, b, (p, q, ci)] = x[b, s·u + p - padTop, s·v + q - padLeft, ci] into a zeroed `target` (the
 * padding stays zero; x's rows and columns past the last one read are skipped).
 */
function spaceToDepth(
  runner: WasmKernelRunner,
  x: TensorInfo,
  target: TensorInfo,
  plan: SpaceToDepthPlan,
  padTop: number,
  padLeft: number,
): void {
  const { batch, height, width, inChannels: channels, strideHeight, strideWidth } = plan;
  const rows = plan.dyHeight + plan.tapRows - 1;
  const columns = plan.dyWidth + plan.tapColumns - 1;
  // One strided copy per phase (p, q): x's rows s·u + p - padTop inside x, u < rows (columns alike).
  const reach = (phase: number, pad: number, stride: number, size: number, count: number) => {
    const first = Math.max(0, Math.ceil((pad - phase) / stride));
    const last = Math.min(count - 1, Math.floor((size - 1 + pad - phase) / stride));
    return { first, count: last - first + 1 };
  };
  for (let p = 0; p < strideHeight; p++) {
    const u = reach(p, padTop, strideHeight, height, rows);
    for (let q = 0; q < strideWidth; q++) {
      const v = reach(q, padLeft, strideWidth, width, columns);
      if (u.count <= 0 || v.count <= 0) continue;
      const pixel = batch * strideHeight * strideWidth * channels;
      copyStrided(
        runner.backend,
        {
          tensor: x,
          start: ((strideHeight * u.first + p - padTop) * width + strideWidth * v.first + q - padLeft) * channels,
        },
        {
          tensor: target,
          start: (u.first * columns + v.first) * pixel + (p * strideWidth + q) * channels,
        },
        [
          { size: u.count, from: strideHeight * width * channels, to: columns * pixel },
          { size: v.count, from: strideWidth * channels, to: pixel },
          { size: batch, from: height * width * channels, to: strideHeight * strideWidth * channels },
          { size: channels, from: 1, to: 1 },
        ],
      );
    }
  }
}

/** dW[s·a + p, s·c + q, ci, co] = O[co, A - 1 - a, C - 1 - c, (p, q, ci)] for the taps inside the filter. */
function gatherFilterGradient(product: Float32Array, target: Float32Array, plan: SpaceToDepthPlan): void {
  const { filterHeight, filterWidth, inChannels, outChannels, strideHeight, strideWidth, tapRows, tapColumns } = plan;
  let index = 0;
  for (let kh = 0; kh < filterHeight; kh++) {
    const a = Math.floor(kh / strideHeight);
    const p = kh - a * strideHeight;
    for (let kw = 0; kw < filterWidth; kw++) {
      const c = Math.floor(kw / strideWidth);
      const q = kw - c * strideWidth;
      const base = (((tapRows - 1 - a) * tapColumns + (tapColumns - 1 - c)) * strideHeight + p) * strideWidth + q;
      for (let inChannel = 0; inChannel < inChannels; inChannel++) {
        for (let outChannel = 0; outChannel < outChannels; outChannel++) {
          target[index++] = product[
            (outChannel * tapRows * tapColumns * strideHeight * strideWidth + base) * inChannels + inChannel
          ] as number;
        }
      }
    }
  }
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: wasmBackendName,
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
