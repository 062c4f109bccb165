/**
 * A batch of images ready for a model: `images` holds `shape[0]` images in NHWC order scaled from 0..255 to
 * [-1, 1] (x / 127.5 - 1, the range of the generator's tanh output); `pixels` holds the same images as bytes.
 */
export interface Batch {
  /** Position of the batch in its epoch (0-based). */
  readonly index: number;
  readonly epoch: number;
  /** [batch, height, width, channels]. */
  readonly shape: readonly [number, number, number, number];
  readonly images: Float32Array;
  readonly pixels: Uint8Array;
  /** Class index per image, -1 where the source has no label. */
  readonly labels: Int32Array;
  /** Source key per image (file path, `file#index`, LMDB key). */
  readonly keys: readonly string[];
  /**
   * Position in the epoch's order just after this batch's last item (skipped items included). Save it with a
   * checkpoint and pass it back as `startPosition` to resume the epoch exactly, without decoding what came before.
   */
  readonly endPosition: number;
}
