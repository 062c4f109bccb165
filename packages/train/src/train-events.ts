import type { BackendSelection } from '@dcgan/backend';
import type { ImageGrid, TrainerStepResult } from '@dcgan/core';
import type { EpochReport } from '@dcgan/data';

import type { QualityRecord } from './quality';
import type { RunRecord } from './run-directory';

/** How a run ended: all its steps, its time limit, or its AbortSignal. */
export type StopReason = 'steps' | 'time-limit' | 'aborted';

/** What {@link train} and {@link resumeTraining} return (and send as the `done` event). */
export interface TrainSummary {
  readonly directory: string;
  readonly backend: BackendSelection;
  readonly completedSteps: number;
  readonly stopReason: StopReason;
  /** The last sample grid written (PNG). */
  readonly lastSample: string | null;
  readonly checkpoint: string;
  /** The generator exported in the tfjs layers format (loads in a browser). */
  readonly generator: string;
  readonly metrics: string;
  /** Losses and D outputs over steps, drawn from `metrics` (redrawn with every sample grid). */
  readonly curves: string;
  /** This session's TensorBoard event file (in the run folder: `tensorboard --logdir <runs>`). */
  readonly tensorboard: string;
  /** Unreadable items skipped in this session, listed in `skippedList`. */
  readonly skippedItems: number;
  readonly skippedList: string;
  /** Wall time of this session in seconds. */
  readonly seconds: number;
  /** Share of training time spent waiting for the data pipeline (0..1). */
  readonly inputWaitShare: number;
  readonly meanImagesPerSecond: number;
  /** FID/KID (with `quality` on): the last evaluation of this session, its real-vs-real floor, and the file of all. */
  readonly quality: {
    readonly last: QualityRecord | null;
    readonly floor: NonNullable<QualityRecord['floor']> | null;
    readonly path: string;
  } | null;
}

/** Everything a run reports, tagged by `status`, in the order it happens. */
export type TrainEvent =
  | {
      readonly status: 'backend';
      readonly selection: BackendSelection;
      /** With `wasmThreads: 'fastest'`: the thread count kept and the seconds one step took on each count tried. */
      readonly threadProbe?: { readonly threads: number; readonly secondsPerCall: ReadonlyMap<number, number> };
    }
  | {
      readonly status: 'started';
      readonly directory: string;
      readonly resumed: boolean;
      /** Steps already done (0 on a new run). */
      readonly step: number;
      readonly epoch: number;
      readonly totalSteps: number;
      readonly record: RunRecord;
      /** The dataset in words, e.g. `7 images in the LMDB /data/bedroom_train_lmdb`. */
      readonly dataset: string;
      /** What the dedup report leaves out; `null` without one. */
      readonly dedup: { readonly report: string; readonly dropped: number; readonly items: number } | null;
    }
  | { readonly status: 'step'; readonly step: number; readonly totalSteps: number; readonly result: TrainerStepResult }
  | { readonly status: 'sample'; readonly step: number; readonly path: string; readonly grid: ImageGrid }
  /** FID/KID of the generator at `step` (NaN when its images are not finite); `floor` on the first of a session. */
  | ({ readonly status: 'quality' } & QualityRecord)
  | { readonly status: 'checkpoint'; readonly step: number; readonly directory: string }
  | {
      readonly status: 'skipped';
      readonly epoch: number;
      readonly key: string;
      readonly reason: string;
      readonly list: string;
    }
  | { readonly status: 'epoch-end'; readonly epoch: number; readonly report: EpochReport }
  | { readonly status: 'stopping'; readonly step: number; readonly reason: Exclude<StopReason, 'steps'> }
  /** An error ended the run; the steps since the last checkpoint were saved first (then the error is thrown). */
  | { readonly status: 'saved-after-error'; readonly step: number; readonly error: unknown }
  | { readonly status: 'done'; readonly summary: TrainSummary };
