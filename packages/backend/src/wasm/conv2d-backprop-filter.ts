import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { WasmKernelRunner, wasmBackendName } from './wasm-kernel-toolkit.js';

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

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: wasmBackendName,
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
