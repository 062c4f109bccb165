import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { decodeFloat16, encodeFloat16, float16BitsToFloat32, float32ToFloat16Bits } from './float16';

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/float16-fixtures.json', import.meta.url)), 'utf8'),
) as {
  generator: string;
  float32Bits: number[];
  float16Bits: number[];
  nanFloat32Bits: number;
  nanFloat16Bits: number;
};

describe(`float16 against ${fixture.generator}`, () => {
  const values = new Float32Array(Uint32Array.from(fixture.float32Bits).buffer);

  it('rounds every float32 to the same float16 bits as numpy (ties to even, subnormals, overflow)', () => {
    const encoded = new Uint16Array(values.length);
    encodeFloat16(values, encoded);
    expect(Array.from(encoded)).toEqual(fixture.float16Bits);
  });

  it('decodes every pattern back to the value numpy gives for it', () => {
    // float16 -> float32 is exact, so it must agree with numpy's float16 -> float64 -> float32 values.
    const decoded = new Float32Array(values.length);
    decodeFloat16(Uint16Array.from(fixture.float16Bits), decoded);
    fixture.float16Bits.forEach((bits, index) => {
      expect(decoded[index]).toBe(float16BitsToFloat32(bits));
      const original = values[index]!;
      if (Math.abs(original) <= 65504 && Math.abs(original) >= 2 ** -14) {
        expect(Math.abs(decoded[index]! - original)).toBeLessThanOrEqual(Math.abs(original) * 2 ** -11);
      }
    });
  });

  it('keeps NaN a NaN', () => {
    expect(float32ToFloat16Bits(Number.NaN)).toBe(fixture.nanFloat16Bits);
    expect(float16BitsToFloat32(fixture.nanFloat16Bits)).toBeNaN();
  });
});
