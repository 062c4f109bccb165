import { access } from 'node:fs/promises';

import { ProgressBar } from '@dcgan/cli';
import type { ImageSource, ImageTransform } from '@dcgan/data';
import { loadSemanticHasher, saveSemanticHasher, trainSemanticHasher, type SemanticHasher } from '@dcgan/dedup';

import type { DedupArguments } from '../arguments.js';

/**
 * Trains the hasher on `source` and saves it to `path` after every epoch. When `path` already holds a hasher of
 * this shape trained for fewer epochs, training continues from it (an interrupted run loses at most one epoch).
 */
export async function trainHasher(arguments_: DedupArguments, source: ImageSource, transform: ImageTransform, path: string, signal: AbortSignal): Promise<SemanticHasher> {
  const architecture = { imageWidth: arguments_.imageSize, imageHeight: arguments_.imageSize, channels: arguments_.channels, codeBits: arguments_.codeBits, threshold: arguments_.threshold, encoderBias: arguments_.encoderBias };
  let hasher: SemanticHasher | undefined;
  let startEpoch = 0;
  if (await access(path).then(() => true, () => false)) {
    hasher = await loadSemanticHasher(path, architecture);
    if (hasher.architecture.threshold !== architecture.threshold || hasher.architecture.encoderBias !== architecture.encoderBias) {
      process.stderr.write(`${path}: note: the file's threshold ${hasher.architecture.threshold} / encoder bias ${hasher.architecture.encoderBias} are used, not the command line's\n`);
    }
    startEpoch = Math.min(arguments_.epochs, Number(hasher.training.epochs ?? 0));
    if (startEpoch >= arguments_.epochs) {
      process.stderr.write(`${path}: already trained for ${startEpoch} epochs; using it\n`);
      return hasher;
    }
    process.stderr.write(`${path}: continuing training from epoch ${startEpoch}\n`);
  }
  const steps = source.length === undefined ? undefined : Math.floor(Math.min(source.length, arguments_.imagesPerEpoch ?? Number.POSITIVE_INFINITY) / arguments_.batchSize);
  let bar: ProgressBar | undefined;
  const result = await trainSemanticHasher(source, {
    architecture,
    ...(hasher === undefined ? {} : { hasher }),
    startEpoch,
    epochs: arguments_.epochs,
    batchSize: arguments_.batchSize,
    learningRate: arguments_.learningRate,
    dropout: arguments_.dropout,
    corruption: { noiseStandardDeviation: arguments_.noise, maskingFraction: arguments_.masking, brightnessJitter: arguments_.brightnessJitter },
    ...(arguments_.imagesPerEpoch === undefined ? {} : { imagesPerEpoch: arguments_.imagesPerEpoch }),
    transform,
    seed: arguments_.seed,
    signal,
    onEvent: (event) => {
      if (event.status === 'small-training-set') {
        process.stderr.write(
          `warning: training the ${event.codeBits}-bit hasher on only ${event.images} images; it needs about ${event.recommended} of this kind, or different images will share codes ` +
            `(verification keeps them apart, but fewer duplicates are found). Train on a larger set of the same kind with --train-data.\n`,
        );
      } else if (event.status === 'epoch-start') bar = new ProgressBar({ total: steps, label: `train epoch ${event.epoch + 1}/${event.epochs}` });
      else if (event.status === 'step') bar?.update(event.step, `loss ${event.loss.toFixed(5)} ${event.imagesPerSecond.toFixed(0)} img/s`);
      else if (event.status === 'skipped') bar?.log(`skipped ${event.key}: ${event.reason}`);
      else if (event.status === 'epoch-end') {
        bar?.finish();
        process.stderr.write(`epoch ${event.epoch + 1}/${event.epochs}: loss ${event.loss.toFixed(5)} in ${event.seconds.toFixed(1)} s\n`);
      }
    },
    afterEpoch: async (_epoch, trained) => saveSemanticHasher(path, trained),
  });
  bar?.finish();
  if (result.aborted) process.stderr.write(`stopped; ${path} holds the last finished epoch (${result.epochsCompleted}); rerun to continue\n`);
  return result.hasher;
}
