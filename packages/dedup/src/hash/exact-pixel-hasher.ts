import { createHash } from 'node:crypto';

import type { RawImage } from '@dcgan/data';

import type { ImageHasher } from './image-hasher';

/**
 * Baseline: a 128-bit digest (SHA-256, truncated) of the decoded pixels and their shape. Equal codes mean identical
 * pixels (up to a 2^-64 birthday chance at a billion images); any change of any pixel gives a different code.
 *
 * @example
 * const hashes = await hashSource(source, createExactPixelHasher(), { transform: [toRgb()] });
 */
export function createExactPixelHasher(): ImageHasher {
  return {
    kind: 'exact-pixel',
    codeBits: 128,
    inputShape: undefined,
    fingerprint: () => 'exact-pixel-sha256-128-v1',
    hashImages: async (images: readonly RawImage[]) => {
      const codes = new Uint8Array(images.length * 16);
      images.forEach((image, index) => {
        const digest = createHash('sha256')
          .update(`${image.width}x${image.height}x${image.channels}:`)
          .update(image.data)
          .digest();
        codes.set(digest.subarray(0, 16), index * 16);
      });
      return codes;
    },
  };
}
