import type { Component } from './types';

/** Natural (row-major) index of the k-th coefficient in zigzag order. */
const zigzag = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

/**
 * Rows = outputs, columns = frequencies: the 8-point inverse DCT averaged over groups of 8/size pixels. Even
 * frequencies >= 2 sum to zero over such groups, so a scaled output is exactly the box average of the full-size
 * inverse DCT (the reduced IDCTs of libjpeg compute the same thing in fixed point).
 */
const scaledIdctMatrices = new Map<number, Float64Array>();
for (const size of [1, 2, 4, 8]) {
  const group = 8 / size;
  const matrix = new Float64Array(size * 8);
  for (let output = 0; output < size; output += 1) {
    for (let frequency = 0; frequency < 8; frequency += 1) {
      const weight = frequency === 0 ? Math.SQRT1_2 / 2 : 0.5;
      let sum = 0;
      for (let x = output * group; x < (output + 1) * group; x += 1)
        sum += Math.cos(((2 * x + 1) * frequency * Math.PI) / 16);
      const value = (weight * sum) / group;
      matrix[output * 8 + frequency] = Math.abs(value) < 1e-12 ? 0 : value;
    }
  }
  scaledIdctMatrices.set(size, matrix);
}

/**
 * Per-component tables for one scan: the dequantised, scaled IDCT basis of each coefficient (zigzag order), so that
 * a block's outputs are the sum of (coefficient x basis) over its nonzero coefficients, and whether each coefficient
 * reaches an output at all at this scale.
 */
export function prepareComponent(component: Component, quantization: Int32Array): void {
  const outWidth = component.blockWidth;
  const outHeight = component.blockHeight;
  const outputs = outWidth * outHeight;
  const horizontal = scaledIdctMatrices.get(outWidth)!;
  const vertical = scaledIdctMatrices.get(outHeight)!;
  const basis = new Float64Array(64 * outputs);
  const contributes = new Uint8Array(64);
  for (let k = 0; k < 64; k += 1) {
    const natural = zigzag[k]!;
    const u = natural & 7;
    const v = natural >> 3;
    for (let y = 0; y < outHeight; y += 1) {
      for (let x = 0; x < outWidth; x += 1) {
        const value = vertical[y * 8 + v]! * horizontal[x * 8 + u]! * quantization[k]!;
        basis[k * outputs + y * outWidth + x] = value;
        if (value !== 0) contributes[k] = 1;
      }
    }
  }
  component.basis = basis;
  component.contributes = contributes;
}

/** Progressive JPEGs: dequantises and scales every buffered block into the component's plane. */
export function renderCoefficients(component: Component): void {
  prepareComponent(component, component.scanQuantization!);
  const { basis, contributes, coefficients, plane } = component;
  const outWidth = component.blockWidth;
  const outHeight = component.blockHeight;
  const outputs = outWidth * outHeight;
  const gridWidth = component.planeWidth / outWidth;
  const gridHeight = component.planeHeight / outHeight;
  const stride = component.planeWidth;
  const output = new Float64Array(64);
  // Only the coefficients that reach a scaled output (at 1/4 scale, 24 of the 63 AC ones) are visited.
  const active = Int32Array.from({ length: 63 }, (_, index) => index + 1).filter((k) => contributes[k] === 1);
  for (let blockRow = 0; blockRow < gridHeight; blockRow += 1) {
    for (let blockColumn = 0; blockColumn < gridWidth; blockColumn += 1) {
      const base = (blockRow * gridWidth + blockColumn) * 64;
      const dc = coefficients[base]! * basis[0]!;
      for (let j = 0; j < outputs; j += 1) output[j] = dc;
      for (let index = 0; index < active.length; index += 1) {
        const k = active[index]!;
        const value = coefficients[base + k]!;
        if (value === 0) continue;
        const offset = k * outputs;
        for (let j = 0; j < outputs; j += 1) output[j] = output[j]! + value * basis[offset + j]!;
      }
      let offset = blockRow * outHeight * stride + blockColumn * outWidth;
      let j = 0;
      for (let y = 0; y < outHeight; y += 1, offset += stride) {
        for (let x = 0; x < outWidth; x += 1, j += 1) plane[offset + x] = output[j]! + 128;
      }
    }
  }
}
