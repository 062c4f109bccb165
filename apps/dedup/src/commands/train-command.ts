import { ProgressBar } from '@dcgan/cli';
import type { ImageSource, ImageTransform } from '@dcgan/data';
import { trainHasherFile, type HasherFileEvent, type SemanticHasher, type TrainHasherFileOptions } from '@dcgan/dedup';

import type { DedupArguments } from '../arguments.js';

/** The hasher's shape and training settings from the command line. */
export function hasherTraining(
  arguments_: DedupArguments,
): Omit<TrainHasherFileOptions, 'path' | 'onEvent' | 'signal' | 'transform'> {
  return {
    architecture: {
      imageWidth: arguments_.imageSize,
      imageHeight: arguments_.imageSize,
      channels: arguments_.channels,
      codeBits: arguments_.codeBits,
      threshold: arguments_.threshold,
      encoderBias: arguments_.encoderBias,
    },
    epochs: arguments_.epochs,
    batchSize: arguments_.batchSize,
    learningRate: arguments_.learningRate,
    dropout: arguments_.dropout,
    corruption: {
      noiseStandardDeviation: arguments_.noise,
      maskingFraction: arguments_.masking,
      brightnessJitter: arguments_.brightnessJitter,
    },
    ...(arguments_.imagesPerEpoch === undefined ? {} : { imagesPerEpoch: arguments_.imagesPerEpoch }),
    seed: arguments_.seed,
  };
}

/** Draws the hasher stage's events: notes about the file, a progress bar per epoch, the epoch's loss. */
export function renderHasherEvents(steps: number | undefined): (event: HasherFileEvent) => void {
  let bar: ProgressBar | undefined;
  return (event) => {
    if (event.status === 'hasher-file') {
      if (event.fileSettings !== null) {
        process.stderr.write(
          `${event.path}: note: the file's threshold ${event.fileSettings.threshold} / encoder bias ${event.fileSettings.encoderBias} are used, not the command line's\n`,
        );
      }
      if (event.action === 'reuse')
        process.stderr.write(`${event.path}: already trained for ${event.epochsDone} epochs; using it\n`);
      else if (event.action === 'continue')
        process.stderr.write(`${event.path}: continuing training from epoch ${event.epochsDone}\n`);
    } else if (event.status === 'hasher-stopped') {
      bar?.finish();
      process.stderr.write(
        `stopped; ${event.path} holds the last finished epoch (${event.epochsCompleted}); rerun to continue\n`,
      );
    } else {
      const training = event.event;
      if (training.status === 'small-training-set') {
        process.stderr.write(
          `warning: training the ${training.codeBits}-bit hasher on only ${training.images} images; it needs about ${training.recommended} of this kind, or different images will share codes ` +
            `(verification keeps them apart, but fewer duplicates are found). Train on a larger set of the same kind with --train-data.\n`,
        );
      } else if (training.status === 'epoch-start')
        bar = new ProgressBar({ total: steps, label: `train epoch ${training.epoch + 1}/${training.epochs}` });
      else if (training.status === 'step')
        bar?.update(training.step, `loss ${training.loss.toFixed(5)} ${training.imagesPerSecond.toFixed(0)} img/s`);
      else if (training.status === 'skipped') bar?.log(`skipped ${training.key}: ${training.reason}`);
      else if (training.status === 'epoch-end') {
        bar?.finish();
        process.stderr.write(
          `epoch ${training.epoch + 1}/${training.epochs}: loss ${training.loss.toFixed(5)} in ${training.seconds.toFixed(1)} s\n`,
        );
      }
    }
  };
}

/** Steps per epoch the hasher trains, for the progress bar. */
export function hasherSteps(arguments_: DedupArguments, source: ImageSource): number | undefined {
  return source.length === undefined
    ? undefined
    : Math.floor(Math.min(source.length, arguments_.imagesPerEpoch ?? Number.POSITIVE_INFINITY) / arguments_.batchSize);
}

/**
 * Trains the hasher on `source` and saves it to `path` after every epoch. When `path` already holds a hasher of
 * this shape trained for fewer epochs, training continues from it (an interrupted run loses at most one epoch).
 */
export async function trainHasher(
  arguments_: DedupArguments,
  source: ImageSource,
  transform: ImageTransform,
  path: string,
  signal: AbortSignal,
): Promise<SemanticHasher> {
  const result = await trainHasherFile(source, {
    ...hasherTraining(arguments_),
    transform,
    path,
    signal,
    onEvent: renderHasherEvents(hasherSteps(arguments_, source)),
  });
  return result.hasher;
}
