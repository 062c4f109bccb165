import type { FaceDatasetSummary } from './face-dataset-summary';

/** Running counts of a run, earlier (resumed) photos included. */
export interface FaceDatasetTotals {
  readonly photosRead: number;
  readonly facesFound: number;
  readonly facesKept: number;
  readonly facesRejected: number;
  readonly unreadable: number;
}

/** Progress of `buildFaceDataset`, tagged by `status`. Apps turn these into progress bars. */
export type FacesEvent =
  | { readonly status: 'loading-detector'; readonly model: string }
  | {
      readonly status: 'started';
      /** Photos in the input, when known. */
      readonly total: number | undefined;
      /** Photos an earlier run finished, skipped now. */
      readonly alreadyDone: number;
      readonly outputDirectory: string;
    }
  | {
      readonly status: 'photo';
      readonly file: string;
      /** Photos finished so far, earlier runs included. */
      readonly done: number;
      readonly total: number | undefined;
      readonly found: number;
      readonly kept: number;
      readonly rejected: number;
      readonly totals: FaceDatasetTotals;
    }
  | {
      readonly status: 'unreadable';
      readonly file: string;
      readonly reason: string;
      readonly done: number;
      readonly total: number | undefined;
      readonly totals: FaceDatasetTotals;
    }
  | { readonly status: 'finishing' }
  | { readonly status: 'finished'; readonly summary: FaceDatasetSummary };
