// IEEE 754 half precision for stored features: half the disk and page cache of float32, and max-pooled
// activations need nowhere near float32's precision (relative error <= 2^-11).

const floatView = new Float32Array(1);
const bitsView = new Uint32Array(floatView.buffer);
let decodeTable: Float32Array | undefined;

/**
 * The float16 bit pattern nearest to `value` (round to nearest, ties to even; overflow to infinity,
 * NaN stays NaN), as numpy's `astype(np.float16)`.
 *
 * @example
 * ```ts
 * float32ToFloat16Bits(1); // 0x3c00
 * ```
 */
export function float32ToFloat16Bits(value: number): number {
  floatView[0] = value;
  const bits = bitsView[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit bit into place, then round.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = sign | (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
  return half;
}

/**
 * The value of a float16 bit pattern.
 *
 * @example
 * ```ts
 * float16BitsToFloat32(0x3c00); // 1
 * ```
 */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Encodes `source` into `target` (same length). */
export function encodeFloat16(source: Float32Array, target: Uint16Array): void {
  for (let index = 0; index < source.length; index++) target[index] = float32ToFloat16Bits(source[index]!);
}

/** Decodes `source` into `target` (same length), through a 65,536-entry table. */
export function decodeFloat16(source: Uint16Array, target: Float32Array): void {
  decodeTable ??= buildDecodeTable();
  const table = decodeTable;
  for (let index = 0; index < source.length; index++) target[index] = table[source[index]!]!;
}

function buildDecodeTable(): Float32Array {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) table[bits] = float16BitsToFloat32(bits);
  return table;
}

/**
 * Rounds `values` in place to float16 precision: what a float16 feature store gives back, so that features just
 * extracted equal the same features read from the store (a resumed or merged run reports what one run reports).
 */
export function roundThroughFloat16(values: Float32Array): void {
  const bits = new Uint16Array(values.length);
  encodeFloat16(values, bits);
  decodeFloat16(bits, values);
}
