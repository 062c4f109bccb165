import { access, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { ImageSource } from '@dcgan/data';

import { loadSemanticHasher, saveSemanticHasher } from '../hasher/hasher-file';
import type { SemanticHasher } from '../hasher/semantic-hasher';
import {
  trainSemanticHasher,
  type TrainHasherEvent,
  type TrainSemanticHasherOptions,
} from '../hasher/train-semantic-hasher';

/** Epochs the hasher trains for unless told otherwise (`trainSemanticHasher`'s default). */
export const defaultHasherEpochs = 20;

/** Options of {@link trainHasherFile}: those of `trainSemanticHasher` that a file-backed run sets itself are left out. */
export interface TrainHasherFileOptions
  extends Omit<TrainSemanticHasherOptions, 'hasher' | 'startEpoch' | 'afterEpoch' | 'onEvent'> {
  /** The hasher file: written after every epoch; a file already there is continued (or used, when fully trained). */
  readonly path: string;
  readonly onEvent?: (event: HasherFileEvent) => void;
}

/** Progress of {@link trainHasherFile} (and the hasher stage of `createDedupReport`), tagged by `status`. */
export type HasherFileEvent =
  | {
      /** What was found at `path`: nothing (`new`), a partly trained hasher (`continue`) or a trained one (`reuse`). */
      readonly status: 'hasher-file';
      readonly path: string;
      readonly action: 'new' | 'continue' | 'reuse';
      /** Epochs the file held (0 for `new`). */
      readonly epochsDone: number;
      readonly epochs: number;
      /**
       * The file's threshold and code-layer bias when they differ from the options' (the file's are used: they are
       * part of the trained model); `null` when they agree.
       */
      readonly fileSettings: { readonly threshold: number; readonly encoderBias: boolean } | null;
    }
  | { readonly status: 'hasher-training'; readonly path: string; readonly event: TrainHasherEvent }
  | { readonly status: 'hasher-stopped'; readonly path: string; readonly epochsCompleted: number };

/** What {@link trainHasherFile} returns. */
export interface TrainHasherFileResult {
  readonly hasher: SemanticHasher;
  readonly path: string;
  /** Epochs the hasher in the file is trained for. */
  readonly epochsCompleted: number;
  /** Stopped by the signal: the file holds the last finished epoch, and a rerun continues from it. */
  readonly aborted: boolean;
}

/**
 * Trains the semantic hasher into a file, durably: the file is written (atomically) after every epoch, and a call
 * that finds a hasher of this shape there continues its training from the epoch it reached, or uses it as it is
 * when it is trained for `epochs` already. An interrupted run loses at most one epoch.
 *
 * @example
 * const { hasher } = await trainHasherFile(await openMnistPackage(), { path: 'runs/mnist/hasher.bin', transform: [pad(32), toRgb()] });
 */
export async function trainHasherFile(
  source: ImageSource,
  options: TrainHasherFileOptions,
): Promise<TrainHasherFileResult> {
  const { path, onEvent, ...training } = options;
  const epochs = training.epochs ?? defaultHasherEpochs;
  const architecture = training.architecture ?? {};
  let hasher: SemanticHasher | undefined;
  let epochsDone = 0;
  if (
    await access(path).then(
      () => true,
      () => false,
    )
  ) {
    hasher = await loadSemanticHasher(path, architecture);
    epochsDone = Math.min(epochs, Number(hasher.training.epochs ?? 0));
    const differs =
      (architecture.threshold !== undefined && hasher.architecture.threshold !== architecture.threshold) ||
      (architecture.encoderBias !== undefined && hasher.architecture.encoderBias !== architecture.encoderBias);
    onEvent?.({
      status: 'hasher-file',
      path,
      action: epochsDone >= epochs ? 'reuse' : 'continue',
      epochsDone,
      epochs,
      fileSettings: differs
        ? { threshold: hasher.architecture.threshold, encoderBias: hasher.architecture.encoderBias }
        : null,
    });
    if (epochsDone >= epochs) return { hasher, path, epochsCompleted: epochsDone, aborted: false };
  } else {
    await mkdir(dirname(path), { recursive: true });
    onEvent?.({ status: 'hasher-file', path, action: 'new', epochsDone: 0, epochs, fileSettings: null });
  }
  const result = await trainSemanticHasher(source, {
    ...training,
    ...(hasher === undefined ? {} : { hasher }),
    startEpoch: epochsDone,
    epochs,
    onEvent: (event) => onEvent?.({ status: 'hasher-training', path, event }),
    afterEpoch: async (_epoch, trained) => saveSemanticHasher(path, trained),
  });
  if (result.aborted) onEvent?.({ status: 'hasher-stopped', path, epochsCompleted: result.epochsCompleted });
  return { hasher: result.hasher, path, epochsCompleted: result.epochsCompleted, aborted: result.aborted };
}
