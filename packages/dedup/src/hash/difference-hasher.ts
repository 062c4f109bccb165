import type { RawImage } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import type { ImageHasher } from './image-hasher';

/** Options of {@link createDifferenceHasher}. */
export interface DifferenceHasherOptions {
  /** The gray image is resized to (hashSize + 1) x hashSize; the code has hashSize^2 bits. @default 8 */
  readonly hashSize?: number;
}

/**
 * Baseline perceptual hash, dHash (Krawetz 2013), computed exactly as the Python `imagehash` package does with PIL:
 * convert to gray (ITU-R 601-2 luma), resize to (hashSize + 1) x hashSize with PIL's Lanczos filter, and set bit (row, column) when
 * pixel[row][column + 1] > pixel[row][column], i.e. where brightness rises to the right.
 *
 * @example
 * const hashes = await hashSource(source, createDifferenceHasher({ hashSize: 8 }));
 */
export function createDifferenceHasher(options: DifferenceHasherOptions = {}): ImageHasher {
  const hashSize = options.hashSize ?? 8;
  if (!Number.isInteger(hashSize) || hashSize < 2 || hashSize > 64)
    throw new DedupError(`Expected \`hashSize\` to be an integer in 2..64, got \`${hashSize}\``);
  const codeBits = hashSize * hashSize;
  return {
    kind: 'difference-hash',
    codeBits,
    inputShape: undefined,
    fingerprint: () => `difference-hash-${hashSize}-pil-lanczos-v1`,
    hashImages: async (images: readonly RawImage[]) => differenceHashCodes(images, hashSize),
  };
}

/**
 * The dHash codes of {@link createDifferenceHasher} (hashSize^2 bits per image, packed, image after image), computed
 * synchronously: `findDuplicateGroups` also uses them on the verification thumbnails to propose candidate pairs.
 */
export function differenceHashCodes(images: readonly RawImage[], hashSize = 8): Uint8Array {
  const codeBytes = Math.ceil((hashSize * hashSize) / 8);
  const codes = new Uint8Array(images.length * codeBytes);
  images.forEach((image, index) => {
    const small = resizeGrayLanczos(toGray(image), hashSize + 1, hashSize);
    for (let row = 0; row < hashSize; row += 1) {
      for (let column = 0; column < hashSize; column += 1) {
        if (small[row * (hashSize + 1) + column + 1]! <= small[row * (hashSize + 1) + column]!) continue;
        const bit = row * hashSize + column;
        const at = index * codeBytes + (bit >> 3);
        codes[at] = codes[at]! | (1 << (bit & 7));
      }
    }
  });
  return codes;
}

/** PIL's `convert('L')`: ITU-R 601-2 luma in 16-bit fixed point, as integers 0..255 (alpha ignored). */
export function toGray(image: RawImage): {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
} {
  const { width, height, channels, data } = image;
  const gray = new Uint8Array(width * height);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    const offset = pixel * channels;
    gray[pixel] =
      channels >= 3
        ? (data[offset]! * 19595 + data[offset + 1]! * 38470 + data[offset + 2]! * 7471 + 0x8000) >> 16
        : data[offset]!;
  }
  return { width, height, data: gray };
}

const precisionBits = 32 - 8 - 2;

function lanczos(x: number): number {
  const sinc = (value: number) => (value === 0 ? 1 : Math.sin(Math.PI * value) / (Math.PI * value));
  return x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/** Fixed-point Lanczos-3 weights for resampling `inputSize` samples to `outputSize`, as PIL computes them. */
function resampleWeights(
  inputSize: number,
  outputSize: number,
): { readonly starts: Int32Array; readonly weights: Int32Array[] } {
  const scale = inputSize / outputSize;
  const filterScale = Math.max(scale, 1);
  const support = 3 * filterScale;
  const starts = new Int32Array(outputSize);
  const weights: Int32Array[] = [];
  for (let output = 0; output < outputSize; output += 1) {
    const center = (output + 0.5) * scale;
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inputSize) - first;
    const raw = Array.from({ length: count }, (_, index) => lanczos((index + first - center + 0.5) / filterScale));
    const total = raw.reduce((sum, weight) => sum + weight, 0);
    starts[output] = first;
    weights.push(
      Int32Array.from(raw, (weight) => {
        const normalised = total === 0 ? weight : weight / total;
        return Math.trunc(
          normalised < 0 ? -0.5 + normalised * (1 << precisionBits) : 0.5 + normalised * (1 << precisionBits),
        );
      }),
    );
  }
  return { starts, weights };
}

function clip8(value: number): number {
  if (value >= 2 ** (precisionBits + 8)) return 255;
  if (value <= 0) return 0;
  return Math.floor(value / 2 ** precisionBits);
}

/**
 * Resizes a gray image with PIL's `Image.resize(size, Image.LANCZOS)` algorithm for 8-bit images (separable,
 * horizontal pass then vertical, fixed-point weights, rounding to bytes between passes), so that dHash codes match
 * those of the Python `imagehash` package.
 */
export function resizeGrayLanczos(
  gray: { readonly width: number; readonly height: number; readonly data: Uint8Array },
  width: number,
  height: number,
): Uint8Array {
  let current = gray.data;
  let currentWidth = gray.width;
  if (width !== gray.width) {
    const { starts, weights } = resampleWeights(gray.width, width);
    const next = new Uint8Array(width * gray.height);
    for (let row = 0; row < gray.height; row += 1) {
      for (let column = 0; column < width; column += 1) {
        const taps = weights[column]!;
        let sum = 2 ** (precisionBits - 1);
        for (let tap = 0; tap < taps.length; tap += 1)
          sum += current[row * currentWidth + starts[column]! + tap]! * taps[tap]!;
        next[row * width + column] = clip8(sum);
      }
    }
    current = next;
    currentWidth = width;
  }
  if (height !== gray.height) {
    const { starts, weights } = resampleWeights(gray.height, height);
    const next = new Uint8Array(currentWidth * height);
    for (let row = 0; row < height; row += 1) {
      const taps = weights[row]!;
      for (let column = 0; column < currentWidth; column += 1) {
        let sum = 2 ** (precisionBits - 1);
        for (let tap = 0; tap < taps.length; tap += 1)
          sum += current[(starts[row]! + tap) * currentWidth + column]! * taps[tap]!;
        next[row * currentWidth + column] = clip8(sum);
      }
    }
    current = next;
  }
  return current;
}
