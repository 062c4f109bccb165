import type { RawImage } from '@dcgan/data';

/** The image shape a hasher takes; `hashSource` brings images to it. */
export interface HasherInputShape {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

/**
 * Anything that turns images into fixed-width binary codes: the semantic hasher, and the exact-pixel and dHash
 * baselines. Codes are packed as described in `PackedCodes`.
 */
export interface ImageHasher {
  /** Short name for reports, e.g. `semantic`, `exact-pixel`, `difference-hash`. */
  readonly kind: string;
  readonly codeBits: number;
  /** The shape images must have; `undefined` when any size works (it still wants `channels`). */
  readonly inputShape: HasherInputShape | undefined;
  /**
   * Identifies the function images are hashed with (weights included), so a resumed run can refuse a different
   * one. May resolve asynchronously: weights on a GPU backend (webgpu) can only be read asynchronously.
   */
  fingerprint(): string | Promise<string>;
  /** Hashes images to `images.length * ceil(codeBits / 8)` bytes. */
  hashImages(images: readonly RawImage[]): Promise<Uint8Array>;
}
