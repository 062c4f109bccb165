import type { RawImage } from '../image/raw-image';
import type { Sample } from './sample';

/** A rectangle in pixel coordinates of the decoded image. */
export interface PixelRegion {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Encoded image bytes (JPEG, PNG, WebP, GIF, ...) that are decoded lazily, in parallel, by the pipeline so that
 * decoding and the transform's resize run in one sharp call (JPEG shrink-on-load included).
 */
export interface EncodedImage {
  readonly encoded: Uint8Array;
  /**
   * Crop applied right after decoding, before any transform. `square-with-margin` grows the box by `margin`
   * (a fraction of its longer side) on each side and turns it into a square kept inside the image.
   */
  readonly region?:
    | { readonly kind: 'exact'; readonly box: PixelRegion }
    | { readonly kind: 'square-with-margin'; readonly box: PixelRegion; readonly margin: number };
}

/** What a source stores for an item, before decoding: raw pixels or encoded bytes. */
export type ItemPayload = RawImage | EncodedImage;

/** An item as read from storage, not yet decoded or transformed. */
export interface SourceItem {
  readonly key: string;
  readonly label: number | undefined;
  readonly payload: ItemPayload;
}

/**
 * A dataset of labelled images. Iterating it (`for await (const sample of source)`) yields decoded
 * {@link Sample}s in storage order, skipping undecodable ones (see `iterateSamples` for the report and strict
 * mode). The training pipeline (`createBatches`) instead reads {@link SourceItem}s and decodes them in parallel.
 */
export interface ImageSource extends AsyncIterable<Sample> {
  /** Human-readable origin, e.g. `CIFAR-10 binary (data_batch_1.bin, data_batch_2.bin)`. */
  readonly description: string;
  /** Number of items, where the format records it (every source here except a plain stream). */
  readonly length: number | undefined;
  /** Names of the classes that labels index, where the format has them. */
  readonly classNames: readonly string[] | undefined;
  /** True when `readItem(index)` is supported, which seeded shuffling needs. */
  readonly randomAccess: boolean;
  /** Reads item `index` (0-based) without decoding it. Rejects with a `DataError` when not `randomAccess`. */
  readItem(index: number): Promise<SourceItem>;
  /** Reads every item in storage order without decoding. */
  items(): AsyncIterable<SourceItem>;
  /** Releases files and handles. Safe to call more than once. */
  close(): Promise<void>;
}

/** Type guard: true when the payload is encoded bytes rather than raw pixels. */
export function isEncodedImage(payload: ItemPayload): payload is EncodedImage {
  return (payload as EncodedImage).encoded !== undefined;
}
