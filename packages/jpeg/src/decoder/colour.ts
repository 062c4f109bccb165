import type { Component, Frame, ScaledJpeg } from './types';

// Fixed-point JFIF colour conversion tables (as libjpeg's jdcolor.c), indexed by Cb or Cr.
const redFromCr = new Int32Array(256);
const blueFromCb = new Int32Array(256);
const greenFromCr = new Int32Array(256);
const greenFromCb = new Int32Array(256);
for (let value = 0; value < 256; value += 1) {
  const centered = value - 128;
  redFromCr[value] = Math.round(1.402 * 65536 * centered);
  blueFromCb[value] = Math.round(1.772 * 65536 * centered);
  greenFromCr[value] = -Math.round(0.714136 * 65536 * centered);
  greenFromCb[value] = -Math.round(0.344136 * 65536 * centered) + 32768;
}

/** Colour-converts (and where needed upsamples) the planes into the output image. */
export function assemble(frame: Frame, scale: 1 | 2 | 4 | 8): ScaledJpeg {
  const width = Math.ceil((frame.width * scale) / 8);
  const height = Math.ceil((frame.height * scale) / 8);
  const [first, second, third] = frame.components;
  if (second === undefined || third === undefined) {
    const component = first!;
    const data = new Uint8Array(width * height);
    for (let y = 0; y < height; y += 1)
      data.set(component.plane.subarray(y * component.planeWidth, y * component.planeWidth + width), y * width);
    return { width, height, channels: 1, data, fullWidth: frame.width, fullHeight: frame.height, scale };
  }
  const data = new Uint8ClampedArray(width * height * 3);
  const luma = first!;
  // Plane pixels per output pixel along each axis is 1, or 1/2, 1/4 when the IDCT could not absorb the subsampling.
  const columnIndex = (component: Component): Int32Array => {
    const ratio = (scale * frame.maxH) / (component.h * component.blockWidth);
    return Int32Array.from({ length: width }, (_, x) => Math.floor(x / ratio));
  };
  const rowStart = (component: Component, y: number): number => {
    const ratio = (scale * frame.maxV) / (component.v * component.blockHeight);
    return Math.floor(y / ratio) * component.planeWidth;
  };
  const lumaColumns = columnIndex(luma);
  const blueColumns = columnIndex(second);
  const redColumns = columnIndex(third);
  let out = 0;
  for (let y = 0; y < height; y += 1) {
    const lumaRow = rowStart(luma, y);
    const blueRow = rowStart(second, y);
    const redRow = rowStart(third, y);
    for (let x = 0; x < width; x += 1) {
      const yValue = luma.plane[lumaRow + lumaColumns[x]!]!;
      const cb = second.plane[blueRow + blueColumns[x]!]!;
      const cr = third.plane[redRow + redColumns[x]!]!;
      data[out] = yValue + ((redFromCr[cr]! + 32768) >> 16);
      data[out + 1] = yValue + ((greenFromCb[cb]! + greenFromCr[cr]!) >> 16);
      data[out + 2] = yValue + ((blueFromCb[cb]! + 32768) >> 16);
      out += 3;
    }
  }
  return {
    width,
    height,
    channels: 3,
    data: new Uint8Array(data.buffer),
    fullWidth: frame.width,
    fullHeight: frame.height,
    scale,
  };
}
