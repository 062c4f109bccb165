/** Progress of feature extraction and batch-norm statistics, tagged by `status`. */
export type FeatureEvent =
  | {
      readonly status: 'statistics-progress';
      /** Images seen so far by the batch-norm statistics pass. */
      readonly images: number;
      readonly total: number;
    }
  | { readonly status: 'statistics-done'; readonly images: number; readonly batches: number; readonly seconds: number }
  | {
      readonly status: 'extract-progress';
      readonly extractor: string;
      /** Items handled so far (extracted or skipped), this run and resumed ones. */
      readonly items: number;
      readonly total: number;
      /** Images per second in this run. */
      readonly imagesPerSecond: number;
    }
  | {
      readonly status: 'chunk-written';
      readonly extractor: string;
      readonly chunk: number;
      readonly rows: number;
      readonly path: string;
    }
  | {
      readonly status: 'resumed';
      readonly extractor: string;
      readonly chunks: number;
      readonly items: number;
      readonly directory: string;
    }
  | { readonly status: 'skipped'; readonly extractor: string; readonly key: string; readonly reason: string }
  | {
      readonly status: 'extract-done';
      readonly extractor: string;
      readonly rows: number;
      readonly skipped: number;
      readonly seconds: number;
    };

/** Receives {@link FeatureEvent}s. */
export type FeatureEventListener = (event: FeatureEvent) => void;
