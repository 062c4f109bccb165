import type { RejectionReason } from '../selection/select-faces';
import type { FaceDatasetSettings } from './face-dataset-options';

/** A photo that could not be read, and why. */
export interface UnreadablePhoto {
  readonly file: string;
  readonly reason: string;
}

/** What a run (with the runs it resumed) produced. Also written to `summary.json`. */
export interface FaceDatasetSummary {
  readonly settings: FaceDatasetSettings;
  /** Photos in the input, when known. */
  readonly photosListed: number | undefined;
  /** Photos decoded and searched, earlier runs included. */
  readonly photosRead: number;
  /** Photos an earlier run had finished, skipped by this one. */
  readonly photosResumed: number;
  /** Boxes the detector reported (score >= `candidateScore`). */
  readonly facesFound: number;
  readonly facesKept: number;
  readonly rejected: Readonly<Record<RejectionReason, number>>;
  readonly unreadable: readonly UnreadablePhoto[];
  /** True when stopped by the signal before every photo was read; run again to resume. */
  readonly interrupted: boolean;
  /** Seconds this run took. */
  readonly seconds: number;
  readonly files: FaceDatasetFiles;
}

/** Paths of what a run writes, all inside the output folder. */
export interface FaceDatasetFiles {
  /** Folder of `imageSize` x `imageSize` RGB PNG crops of the kept faces. */
  readonly crops: string;
  /** Kept boxes as CSV, header `file,x,y,w,h` (see README: the format @dcgan/data's face-crop source reads). */
  readonly boxesCsv: string;
  /** Kept boxes as a JSON array of `{ file, x, y, w, h }`. */
  readonly boxesJson: string;
  /** Accepted and rejected boxes, for a person to check. */
  readonly contactSheet: string;
  /** The run's journal: one JSON line per finished photo, every box with score and verdict. */
  readonly detections: string;
  readonly summary: string;
}
