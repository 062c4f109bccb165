import type { DcganConfigOptions } from '@dcgan/core';

import { createSeededRandom, randomInteger } from '@dcgan/common';

import { ProbeError, describeValue } from '../errors/probe-error';
import {
  trainSupervisedCnn,
  type LabelledPixels,
  type SupervisedCnn,
  type SupervisedEpochReport,
  type SupervisedTrainingOptions,
} from './supervised-cnn';

/** The settings one random-search trial trains with. */
export interface SupervisedSettings {
  /** Adam learning rate, log-uniform in [1e-4, 1e-2]. */
  readonly learningRate: number;
  /** One of 16, 32, 64, 128. */
  readonly batchSize: number;
}

/** One trial of {@link searchSupervisedCnn}. */
export interface SupervisedTrial extends SupervisedSettings {
  readonly trial: number;
  /** Validation error of the trial's best epoch. */
  readonly validationError: number;
  readonly bestEpoch: number;
}

/** Options of {@link searchSupervisedCnn}. */
export interface SupervisedSearchOptions extends Omit<SupervisedTrainingOptions, 'learningRate' | 'batchSize'> {
  /**
   * Random-search trials (the paper's section 5.2 used 64).
   * @default 64
   */
  readonly trials?: number;
  /** Seed of the sampled settings and of each trial's weights. @default 0 */
  readonly seed?: number;
  readonly onTrial?: (trial: SupervisedTrial, trials: number) => void;
  readonly onEpoch?: (report: SupervisedEpochReport & { readonly trial: number }) => void;
  readonly signal?: AbortSignal;
}

/** What {@link searchSupervisedCnn} found: every trial, and the best one's trained network. */
export interface SupervisedSearch {
  readonly trials: readonly SupervisedTrial[];
  readonly chosen: SupervisedTrial;
  /** The chosen trial's network; the caller disposes it. */
  readonly best: SupervisedCnn;
}

const batchSizes = [16, 32, 64, 128] as const;

/**
 * The settings of `trials` random-search trials: learning rate log-uniform in [1e-4, 1e-2], batch size
 * uniform over 16, 32, 64 and 128. The same seed gives the same settings.
 *
 * @example
 * ```ts
 * sampleSupervisedSettings(3, 0); // [{ learningRate: 0.0013…, batchSize: 64 }, …]
 * ```
 */
export function sampleSupervisedSettings(trials: number, seed = 0): SupervisedSettings[] {
  if (!Number.isInteger(trials) || trials < 1)
    throw new ProbeError(`Expected \`trials\` to be a positive integer, got \`${describeValue(trials)}\``);
  const random = createSeededRandom(seed);
  return Array.from({ length: trials }, () => ({
    learningRate: 10 ** (-4 + 2 * random()),
    batchSize: batchSizes[randomInteger(random, batchSizes.length)]!,
  }));
}

/**
 * The paper's supervised baseline with its hyperparameters chosen by random search on the validation
 * split (section 5.2: "64 hyperparameter trials"): trains D's architecture as a classifier once per
 * sampled setting ({@link sampleSupervisedSettings}), each early-stopped on `validation`, and keeps the
 * network with the lowest validation error (the first such trial on ties).
 *
 * @example
 * ```ts
 * const { chosen, best } = await searchSupervisedCnn(config, [32, 32, 3], labelled, validation, { trials: 64 });
 * const predicted = predictSupervisedCnn(best, [32, 32, 3], testPixels);
 * best.dispose();
 * ```
 */
export async function searchSupervisedCnn(
  config: DcganConfigOptions,
  imageShape: readonly [number, number, number],
  train: LabelledPixels,
  validation: LabelledPixels,
  options: SupervisedSearchOptions = {},
): Promise<SupervisedSearch> {
  const { trials: trialCount = 64, seed = 0, onTrial, onEpoch, ...training } = options;
  const settings = sampleSupervisedSettings(trialCount, seed);
  const trials: SupervisedTrial[] = [];
  let best: { cnn: SupervisedCnn; trial: SupervisedTrial } | undefined;
  try {
    for (const [trial, setting] of settings.entries()) {
      const cnn = await trainSupervisedCnn(config, imageShape, train, validation, {
        ...training,
        ...setting,
        seed: seed * 1000 + trial,
        ...(onEpoch === undefined ? {} : { onEpoch: (report: SupervisedEpochReport) => onEpoch({ ...report, trial }) }),
      });
      const result: SupervisedTrial = {
        trial,
        ...setting,
        validationError: cnn.validationError,
        bestEpoch: cnn.bestEpoch,
      };
      trials.push(result);
      onTrial?.(result, trialCount);
      if (best === undefined || result.validationError < best.trial.validationError) {
        best?.cnn.dispose();
        best = { cnn, trial: result };
      } else {
        cnn.dispose();
      }
    }
  } catch (error) {
    best?.cnn.dispose();
    throw error;
  }
  return { trials, chosen: best!.trial, best: best!.cnn };
}
