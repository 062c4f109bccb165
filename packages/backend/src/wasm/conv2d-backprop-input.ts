import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  BatchMatMul,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { DerivedFilterCache } from './derived-filter-cache.js';
import { copyStrided } from './simd-module.js';
import { WasmKernelRunner, coversWholeInput, wasmBackendName } from './wasm-kernel-toolkit.js';

/** Flipped phase sub-filters per weight tensor (see {@link DerivedFilterCache}). */
export const phaseFilterCache = new DerivedFilterCache();

/** How one output phase (the rows ≡ phase mod stride) reads dy along one spatial axis. */
interface AxisPhase {
  /** Output rows in this phase: ceil((size - phase) / stride). */
  readonly length: number;
  /** Taps along this axis (filter positions ≡ remainder mod stride); 0 means the phase is all zeros. */
  readonly taps: number;
  /** The first filter position used, in [0, stride). */
  readonly remainder: number;
  /** The stride along this axis (the step between the filter positions used). */
  readonly stride: number;
  /** Padding before/after dy for the stride-1 convolution that computes this phase (may be negative). */
  readonly padBefore: number;
  readonly padAfter: number;
}

/**
 * Splits a transposed convolution along one axis into `stride` phases. For output position
 * p = phase + stride * i, the filter taps k ≡ (phase + pad) mod stride contribute
 * dy[i + q - m] * w[remainder + stride * m] with q = floor((phase + pad) / stride), which is a stride-1
 * correlation of dy with the flipped sub-filter and padding (taps - 1 - q) before.
 */
function axisPhases(size: number, dySize: number, filterSize: number, stride: number, pad: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const remainder = (phase + pad) % stride;
    const quotient = Math.floor((phase + pad) / stride);
    const taps = remainder < filterSize ? Math.ceil((filterSize - remainder) / stride) : 0;
    const length = phase < size ? Math.ceil((size - phase) / stride) : 0;
    const padBefore = taps - 1 - quotient;
    const padAfter = length - dySize + quotient;
    phases.push({ length, taps, remainder, stride, padBefore, padAfter });
  }
  return phases;
}

/**
 * The input gradient of a 2-D convolution (also the forward pass of a transposed convolution), for any
 * stride, padding and data format.
 *
 * wasm's own kernel is a plain loop, about 6x slower than the forward convolution. Here the output is split
 * into stride x stride sub-pixel phases; each phase is an exact stride-1 convolution of dy with a flipped
 * sub-filter (2x2 taps for a 4x4, stride-2 filter), run by XNNPACK, and the phases are interleaved into the
 * output.
 */
export function conv2dBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const runner = new WasmKernelRunner(backend);
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const dy = channelsFirst ? runner.transpose(inputs.dy, [0, 2, 3, 1]) : inputs.dy;
  const { filter } = inputs;
  try {
    const inputShape = attrs.inputShape as [number, number, number, number];
    const xShape: [number, number, number, number] = channelsFirst
      ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]]
      : inputShape;
    const filterShape = filter.shape as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(
      xShape,
      filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const [batch, height, width, inChannels] = xShape;
    const [filterHeight, filterWidth, filterInChannels, outChannels] = filterShape;
    const expectedDyShape = [batch, info.outHeight, info.outWidth, outChannels];
    if (dy.shape.join() !== expectedDyShape.join()) {
      throw new Error(
        `Expected Conv2DBackpropInput dy of shape [${expectedDyShape.join(', ')}], got [${dy.shape.join(', ')}].`,
      );
    }
    if (filterInChannels !== inChannels) {
      throw new Error(
        `Expected Conv2DBackpropInput filter with ${inChannels} input channels, got ${filterInChannels}.`,
      );
    }
    if (coversWholeInput(info, filterHeight, filterWidth, height, width)) {
      // One dy pixel per image (a layer whose filter spans its input, as D's logit layer): dx = dy·Wᵀ, one
      // product where the phases would run a 1-pixel input through a padded convolution.
      const flatDy = runner.reshape(dy, [1, batch, outChannels]);
      const flatFilter = runner.reshape(filter, [1, filterHeight * filterWidth * inChannels, outChannels]);
      const product = runner.run(BatchMatMul, { a: flatDy, b: flatFilter }, { transposeA: false, transposeB: true });
      runner.dispose(flatDy, flatFilter);
      const result = runner.reshape(product, [batch, height, width, inChannels]);
      runner.dispose(product);
      if (!channelsFirst) return result;
      const transposed = runner.transpose(result, [0, 3, 1, 2]);
      runner.dispose(result);
      return transposed;
    }
    const rowPhases = axisPhases(height, info.outHeight, filterHeight, info.strideHeight, info.padInfo.top);
    const columnPhases = axisPhases(width, info.outWidth, filterWidth, info.strideWidth, info.padInfo.left);

    const phaseKey = `${info.strideHeight},${info.strideWidth},${info.padInfo.top},${info.padInfo.left},${height},${width}`;
    const rowLayout = combinedLayout(rowPhases, info.outHeight);
    const columnLayout = combinedLayout(columnPhases, info.outWidth);
    if (
      rowLayout !== undefined &&
      columnLayout !== undefined &&
      inChannels * rowPhases.length * columnPhases.length <= maximumCombinedChannels
    ) {
      const [combinedFilter] = phaseFilterCache.get(backend, filter, `${phaseKey},combined`, () => {
        const byTap = runner.transpose(filter, [0, 1, 3, 2]);
        try {
          return [combinedPhaseFilter(runner, byTap, rowPhases, columnPhases)];
        } finally {
          runner.dispose(byTap);
        }
      });
      const product = runner.run(
        'Conv2D',
        { x: dy, filter: combinedFilter as TensorInfo },
        {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [rowLayout.padBefore, rowLayout.padAfter],
            [columnLayout.padBefore, columnLayout.padAfter],
            [0, 0],
          ],
          dataFormat: 'NHWC',
        },
      );
      const combined = runner.allocate([batch, height, width, inChannels]);
      gatherPhases(runner, product, combined, {
        rowPhases,
        columnPhases,
        rowOffsets: rowLayout.offsets,
        columnOffsets: columnLayout.offsets,
      });
      runner.dispose(product);
      if (!channelsFirst) return combined;
      const transposed = runner.transpose(combined, [0, 3, 1, 2]);
      runner.dispose(combined);
      return transposed;
    }
    const subFilters = phaseFilterCache.get(backend, filter, phaseKey, () => {
      // Every tap's [Cin, Cout] block transposed at once; each phase then copies whole blocks.
      const byTap = runner.transpose(filter, [0, 1, 3, 2]);
      try {
        return rowPhases.flatMap((rows) =>
          columnPhases.map((columns) =>
            rows.taps > 0 && columns.taps > 0 ? phaseFilter(runner, byTap, rows, columns) : undefined,
          ),
        );
      } finally {
        runner.dispose(byTap);
      }
    });
    const result = runner.allocate(
      [batch, height, width, inChannels],
      needsZeroFill(rowPhases, columnPhases, info.outHeight, info.outWidth),
    );
    for (let rowPhase = 0; rowPhase < rowPhases.length; rowPhase++) {
      for (let columnPhase = 0; columnPhase < columnPhases.length; columnPhase++) {
        const rows = rowPhases[rowPhase] as AxisPhase;
        const columns = columnPhases[columnPhase] as AxisPhase;
        const subFilter = subFilters[rowPhase * columnPhases.length + columnPhase];
        if (subFilter === undefined) continue;
        const phase = phaseConvolution(runner, dy, subFilter, rows, columns);
        if (phase === undefined) continue;
        interleave(runner, phase, result, {
          rowPhase,
          columnPhase,
          strideHeight: info.strideHeight,
          strideWidth: info.strideWidth,
          height,
          width,
        });
        runner.dispose(phase);
      }
    }
    if (!channelsFirst) return result;
    const transposed = runner.transpose(result, [0, 3, 1, 2]);
    runner.dispose(result);
    return transposed;
  } finally {
    if (channelsFirst) runner.dispose(dy);
  }
}

/** Whether some phase contributes nothing (no taps or no dy rows in reach), so the output must start zeroed. */
function needsZeroFill(
  rowPhases: readonly AxisPhase[],
  columnPhases: readonly AxisPhase[],
  dyHeight: number,
  dyWidth: number,
): boolean {
  const empty = (phase: AxisPhase, dySize: number) =>
    phase.length > 0 &&
    (phase.taps === 0 || dySize - Math.max(0, -phase.padBefore) - Math.max(0, -phase.padAfter) <= 0);
  return rowPhases.some((phase) => empty(phase, dyHeight)) || columnPhases.some((phase) => empty(phase, dyWidth));
}

/** Runs the stride-1 convolution of dy with one phase's sub-filter: [B, rows.length, columns.length, Cin], or undefined when it is all zeros. */
function phaseConvolution(
  runner: WasmKernelRunner,
  dy: TensorInfo,
  subFilter: TensorInfo,
  rows: AxisPhase,
  columns: AxisPhase,
): TensorInfo | undefined {
  if (rows.length === 0 || columns.length === 0) return undefined;
  const [batch, dyHeight, dyWidth, outChannels] = dy.shape as [number, number, number, number];
  const rowStart = Math.max(0, -rows.padBefore);
  const rowEnd = dyHeight - Math.max(0, -rows.padAfter);
  const columnStart = Math.max(0, -columns.padBefore);
  const columnEnd = dyWidth - Math.max(0, -columns.padAfter);
  if (rowEnd <= rowStart || columnEnd <= columnStart) return undefined;
  const cropped = rowStart > 0 || columnStart > 0 || rowEnd < dyHeight || columnEnd < dyWidth;
  const input = cropped
    ? runner.slice(dy, [0, rowStart, columnStart, 0], [batch, rowEnd - rowStart, columnEnd - columnStart, outChannels])
    : dy;
  const output = runner.run(
    'Conv2D',
    { x: input, filter: subFilter },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [Math.max(0, rows.padBefore), Math.max(0, rows.padAfter)],
        [Math.max(0, columns.padBefore), Math.max(0, columns.padAfter)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
  if (cropped) runner.dispose(input);
  return output;
}

/**
 * The flipped sub-filter of one phase as a forward-convolution filter [taps_h, taps_w, Cout, Cin]:
 * F[a, b, co, ci] = W[rh + sh * (taps_h - 1 - a), rw + sw * (taps_w - 1 - b), ci, co], copied tap by tap from
 * `byTap`, the filter with each tap's block already transposed ([KH, KW, Cout, Cin]).
 */
function phaseFilter(runner: WasmKernelRunner, byTap: TensorInfo, rows: AxisPhase, columns: AxisPhase): TensorInfo {
  const [, filterWidth, outChannels, inChannels] = byTap.shape as [number, number, number, number];
  const block = outChannels * inChannels;
  const output = runner.allocate([rows.taps, columns.taps, outChannels, inChannels]);
  const source = runner.view(byTap);
  const target = runner.view(output);
  let offset = 0;
  for (let a = 0; a < rows.taps; a++) {
    const kernelRow = rows.remainder + rows.stride * (rows.taps - 1 - a);
    for (let b = 0; b < columns.taps; b++) {
      const kernelColumn = columns.remainder + columns.stride * (columns.taps - 1 - b);
      const base = (kernelRow * filterWidth + kernelColumn) * block;
      target.set(source.subarray(base, base + block), offset);
      offset += block;
    }
  }
  return output;
}

/**
 * Phase outputs times channels up to which every phase runs as one convolution, the phases stacked along its
 * output channels (a transposed convolution to RGB: 4 phases x 3 channels). XNNPACK's kernels work on 8 or
 * 16 output channels at a time, so 3 alone waste most of each; the common padding adds a row and a column of
 * products.
 */
const maximumCombinedChannels = 16;

/**
 * The padding of one convolution that computes every phase along one axis: phase r's output i is the
 * combined output i + offsets[r]. Undefined where phases have different tap counts or an empty output.
 */
function combinedLayout(
  phases: readonly AxisPhase[],
  dySize: number,
): { padBefore: number; padAfter: number; offsets: number[] } | undefined {
  const taps = phases[0]?.taps ?? 0;
  if (taps === 0 || phases.some((phase) => phase.taps !== taps || phase.length === 0)) return undefined;
  const padBefore = Math.max(0, ...phases.map((phase) => phase.padBefore));
  const offsets = phases.map((phase) => padBefore - phase.padBefore);
  const needed = Math.max(...phases.map((phase, index) => (offsets[index] as number) + phase.length));
  return { padBefore, padAfter: Math.max(0, needed - dySize - padBefore + taps - 1), offsets };
}

/**
 * Every phase's flipped sub-filter (see {@link phaseFilter}) in one filter [taps_h, taps_w, Cout, phases x Cin],
 * phase (r, c) at output channels ((r * column phases + c) * Cin ...).
 */
function combinedPhaseFilter(
  runner: WasmKernelRunner,
  byTap: TensorInfo,
  rowPhases: readonly AxisPhase[],
  columnPhases: readonly AxisPhase[],
): TensorInfo {
  const [, filterWidth, outChannels, inChannels] = byTap.shape as [number, number, number, number];
  const rowTaps = (rowPhases[0] as AxisPhase).taps;
  const columnTaps = (columnPhases[0] as AxisPhase).taps;
  const phaseCount = rowPhases.length * columnPhases.length;
  const output = runner.allocate([rowTaps, columnTaps, outChannels, phaseCount * inChannels]);
  const source = runner.view(byTap);
  const target = runner.view(output);
  for (let a = 0; a < rowTaps; a++) {
    for (let b = 0; b < columnTaps; b++) {
      for (const [rowPhase, rows] of rowPhases.entries()) {
        const kernelRow = rows.remainder + rows.stride * (rowTaps - 1 - a);
        for (const [columnPhase, columns] of columnPhases.entries()) {
          const kernelColumn = columns.remainder + columns.stride * (columnTaps - 1 - b);
          const phase = rowPhase * columnPhases.length + columnPhase;
          for (let outChannel = 0; outChannel < outChannels; outChannel++) {
            const from = ((kernelRow * filterWidth + kernelColumn) * outChannels + outChannel) * inChannels;
            const to = (((a * columnTaps + b) * outChannels + outChannel) * phaseCount + phase) * inChannels;
            for (let inChannel = 0; inChannel < inChannels; inChannel++)
              target[to + inChannel] = source[from + inChannel] as number;
          }
        }
      }
    }
  }
  return output;
}

/** result[b, r + s·i, c + s·j, ci] = product[b, i + rowOffsets[r], j + columnOffsets[c], phase (r, c), ci]. */
function gatherPhases(
  runner: WasmKernelRunner,
  product: TensorInfo,
  result: TensorInfo,
  layout: {
    readonly rowPhases: readonly AxisPhase[];
    readonly columnPhases: readonly AxisPhase[];
    readonly rowOffsets: readonly number[];
    readonly columnOffsets: readonly number[];
  },
): void {
  const [batch, productHeight, productWidth, productChannels] = product.shape as [number, number, number, number];
  const [, height, width, channels] = result.shape as [number, number, number, number];
  const { rowPhases, columnPhases, rowOffsets, columnOffsets } = layout;
  for (const [rowPhase, rows] of rowPhases.entries()) {
    for (const [columnPhase, columns] of columnPhases.entries()) {
      const phaseChannel = (rowPhase * columnPhases.length + columnPhase) * channels;
      copyStrided(
        runner.backend,
        {
          tensor: product,
          start:
            ((rowOffsets[rowPhase] as number) * productWidth + (columnOffsets[columnPhase] as number)) *
              productChannels +
            phaseChannel,
        },
        { tensor: result, start: (rowPhase * width + columnPhase) * channels },
        [
          { size: batch, from: productHeight * productWidth * productChannels, to: height * width * channels },
          { size: rows.length, from: productWidth * productChannels, to: rows.stride * width * channels },
          { size: columns.length, from: productChannels, to: columns.stride * channels },
          { size: channels, from: 1, to: 1 },
        ],
      );
    }
  }
}

/** result[b, r + s·i, c + s·j, ci] = phase[b, i, j, ci] for one phase (r, c) of a [B, rows, columns, Cin] output. */
function interleave(
  runner: WasmKernelRunner,
  phase: TensorInfo,
  result: TensorInfo,
  placement: {
    readonly rowPhase: number;
    readonly columnPhase: number;
    readonly strideHeight: number;
    readonly strideWidth: number;
    readonly height: number;
    readonly width: number;
  },
): void {
  const [batch, rows, columns, channels] = phase.shape as [number, number, number, number];
  const { rowPhase, columnPhase, strideHeight, strideWidth, height, width } = placement;
  copyStrided(
    runner.backend,
    { tensor: phase, start: 0 },
    { tensor: result, start: (rowPhase * width + columnPhase) * channels },
    [
      { size: batch, from: rows * columns * channels, to: height * width * channels },
      { size: rows, from: columns * channels, to: strideHeight * width * channels },
      { size: columns, from: channels, to: strideWidth * channels },
      { size: channels, from: 1, to: 1 },
    ],
  );
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: wasmBackendName,
  kernelFunc: conv2dBackpropInput as unknown as KernelFunc,
};
