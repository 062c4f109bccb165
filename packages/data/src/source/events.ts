/** One item that could not be used, and why. */
export interface SkippedItem {
  /** The item's key: file path, `file#index`, LMDB key. */
  readonly key: string;
  readonly reason: string;
}

/** What happened during one pass over a source. Emitted as the `epoch-end` event and kept on the stream. */
export interface EpochReport {
  readonly epoch: number;
  /** Items read from the source (used + skipped). */
  readonly itemsRead: number;
  /** Images delivered (in batches, for `createBatches`). */
  readonly imagesDelivered: number;
  /** Images left over because they did not fill a last batch (with `dropRemainder`). */
  readonly imagesDropped: number;
  /** Number of skipped items. */
  readonly skippedCount: number;
  /** The skipped items, file and reason; at most the first 10,000 are listed, `skippedCount` counts all. */
  readonly skipped: readonly SkippedItem[];
  readonly seconds: number;
}

/** Progress events of the data pipeline, tagged by `status`. Library code never prints; apps render these. */
export type DataEvent =
  | { readonly status: 'skipped'; readonly epoch: number; readonly key: string; readonly reason: string }
  | { readonly status: 'epoch-end'; readonly report: EpochReport }
  | { readonly status: 'cache-progress'; readonly written: number; readonly total: number | undefined }
  | {
      readonly status: 'cache-done';
      readonly directory: string;
      readonly written: number;
      readonly skippedCount: number;
    }
  | { readonly status: 'export-progress'; readonly written: number; readonly total: number | undefined };

/** Listener for {@link DataEvent}s. */
export type DataEventListener = (event: DataEvent) => void;

export const maximumListedSkips = 10_000;

/** Collects skips for an epoch report. */
export class SkipLog {
  readonly skipped: SkippedItem[] = [];
  count = 0;

  add(key: string, reason: string): void {
    this.count += 1;
    if (this.skipped.length < maximumListedSkips) this.skipped.push({ key, reason });
  }
}
