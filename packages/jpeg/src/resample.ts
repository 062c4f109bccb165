/** A rectangle of the input in pixel units, fractional allowed (Pillow's `box`). */
export interface ResampleBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Resizes interleaved 8-bit pixels (optionally only the `box` part of them); see {@link createResampler}. */
export type Resample = (
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  box?: ResampleBox,
) => Uint8Array;

/**
 * Creates an antialiased bilinear (triangle filter) resampler, the algorithm of Pillow's `Image.resize(...,
 * BILINEAR)`: when shrinking, the triangle is stretched by the scale so every input pixel contributes; when
 * enlarging it is plain bilinear interpolation. Pixel centres are aligned (`(i + 0.5) * scale`). With a `box`,
 * only that region is resized (Pillow's `resize(size, BILINEAR, box)`), taps outside the image are left out.
 *
 * @example
 * const resample = createResampler();
 * const small = resample(rgb, 86, 64, 3, 64, 48);
 */
export function createResampler(): Resample {
  interface Taps {
    readonly starts: Int32Array;
    readonly counts: Int32Array;
    readonly weights: Float32Array;
    readonly stride: number;
  }
  const cache = new Map<string, Taps>();

  function taps(inSize: number, outSize: number, boxStart: number, boxSize: number): Taps {
    const key = `${inSize}>${outSize}@${boxStart}+${boxSize}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const scale = boxSize / outSize;
    const support = Math.max(1, scale);
    const stride = Math.ceil(support) * 2 + 1;
    const starts = new Int32Array(outSize);
    const counts = new Int32Array(outSize);
    const weights = new Float32Array(outSize * stride);
    for (let i = 0; i < outSize; i += 1) {
      const center = boxStart + (i + 0.5) * scale;
      const low = Math.max(0, Math.floor(center - support));
      const high = Math.min(inSize, Math.ceil(center + support));
      let sum = 0;
      let count = 0;
      for (let j = low; j < high; j += 1) {
        const weight = Math.max(0, 1 - Math.abs((j + 0.5 - center) / support));
        weights[i * stride + count] = weight;
        sum += weight;
        count += 1;
      }
      for (let t = 0; t < count; t += 1) weights[i * stride + t] = weights[i * stride + t]! / sum;
      starts[i] = low;
      counts[i] = count;
    }
    const result = { starts, counts, weights, stride };
    if (cache.size > 64) cache.clear();
    cache.set(key, result);
    return result;
  }

  return (data, width, height, channels, outWidth, outHeight, box) => {
    if (box === undefined && width === outWidth && height === outHeight) return data;
    // Horizontal pass into floats, then vertical pass into clamped bytes (rounds half to even).
    const horizontal = taps(width, outWidth, box?.left ?? 0, box?.width ?? width);
    const middle = new Float32Array(height * outWidth * channels);
    for (let y = 0; y < height; y += 1) {
      const row = y * width * channels;
      for (let x = 0; x < outWidth; x += 1) {
        const start = horizontal.starts[x]!;
        const count = horizontal.counts[x]!;
        const base = x * horizontal.stride;
        for (let c = 0; c < channels; c += 1) {
          let sum = 0;
          for (let t = 0; t < count; t += 1)
            sum += horizontal.weights[base + t]! * data[row + (start + t) * channels + c]!;
          middle[(y * outWidth + x) * channels + c] = sum;
        }
      }
    }
    const vertical = taps(height, outHeight, box?.top ?? 0, box?.height ?? height);
    const out = new Uint8ClampedArray(outWidth * outHeight * channels);
    const rowLength = outWidth * channels;
    for (let y = 0; y < outHeight; y += 1) {
      const start = vertical.starts[y]!;
      const count = vertical.counts[y]!;
      const base = y * vertical.stride;
      for (let i = 0; i < rowLength; i += 1) {
        let sum = 0;
        for (let t = 0; t < count; t += 1) sum += vertical.weights[base + t]! * middle[(start + t) * rowLength + i]!;
        out[y * rowLength + i] = sum;
      }
    }
    return new Uint8Array(out.buffer);
  };
}
