import type { RawImage } from '../image/raw-image';

/** A decoded image with its label and a stable key (file path, LMDB key, `file#index`) for reports. */
export interface Sample {
  /** Stable identifier of the item within its source; used in skip reports and caches. */
  readonly key: string;
  /** Class index (0-based), or `undefined` where the source has no labels. */
  readonly label: number | undefined;
  readonly image: RawImage;
}
