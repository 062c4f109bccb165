import { appendFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';

import {
  createFidEvaluator,
  generate,
  sampleLatent,
  type FidEvaluator,
  type QualityScores,
  type Trainer,
} from '@dcgan/core';
import { digitsFeatureLayer, loadDigitsFeatureModel, loadGenerator } from '@dcgan/core/node';
import { batchToTensor, createBatches, type openDataset } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { TrainError } from './errors/train-error';

/**
 * FID/KID during training ({@link TrainOptions.quality}). With no `featureModel`, a 1-channel 32px run uses the
 * digits feature network that ships with `@dcgan/core`; other runs must name a feature model and layer.
 */
export interface QualityOptions {
  /** Evaluate every this many steps, and once at the end of the run. */
  readonly every: number;
  /**
   * Generated images per evaluation, and real images in each of the two real halves (the reference set and
   * the half the real-vs-real floor compares with it). @default 1000
   */
  readonly sampleCount?: number;
  /** A tfjs layers model (path of its model.json, or of its folder) whose `featureLayer` gives the features. @default the digits network for 1-channel 32px runs */
  readonly featureModel?: string | null;
  /** The layer of `featureModel` that FID/KID read. @default 'features' (the digits network's) */
  readonly featureLayer?: string | null;
}

/** {@link QualityOptions} as recorded in run.json (a resume keeps it). */
export interface QualitySettings {
  readonly every: number;
  readonly sampleCount: number;
  /** Absolute path of the model.json; `null`: the digits network. */
  readonly featureModel: string | null;
  readonly featureLayer: string;
}

/** One evaluation: a line of quality.ndjson, the `quality` event and the summary's last result. */
export interface QualityRecord {
  readonly step: number;
  /** `NaN` when the generator's images are not finite (a diverged G). */
  readonly fid: number;
  readonly kid: number;
  readonly kidStd: number;
  readonly sampleCount: number;
  /** Seconds this evaluation took (not counted in images/s; counted in the time limit). */
  readonly seconds: number;
  /** Real-vs-real scores of two disjoint real halves (the lowest a generator can expect); on the first result of a session. */
  readonly floor?: { readonly fid: number; readonly kid: number; readonly kidStd: number };
}

export const qualityFileName = 'quality.ndjson';
const defaultSampleCount = 1000;

/** Checks {@link QualityOptions} against the run's image shape and fills in the defaults. */
export function resolveQuality(
  options: QualityOptions | null | undefined,
  image: { size: number; channels: number },
): QualitySettings | null {
  if (options === null || options === undefined) return null;
  const bad = (field: string, expected: string, value: unknown): never => {
    throw new TrainError(`Expected \`quality.${field}\` to be ${expected}, got \`${JSON.stringify(value)}\``);
  };
  if (typeof options !== 'object') bad('', 'an object or null', options);
  const unknown = Object.keys(options).filter(
    (key) => !['every', 'sampleCount', 'featureModel', 'featureLayer'].includes(key),
  );
  if (unknown.length > 0)
    throw new TrainError(
      `Unknown option \`quality.${unknown[0]}\`; expected every, sampleCount, featureModel, featureLayer`,
    );
  const sampleCount = options.sampleCount ?? defaultSampleCount;
  if (!Number.isInteger(options.every) || options.every < 1) bad('every', 'an integer >= 1', options.every);
  if (!Number.isInteger(sampleCount) || sampleCount < 2) bad('sampleCount', 'an integer >= 2', sampleCount);
  const featureModel = options.featureModel ?? null;
  if (featureModel === null) {
    if (image.channels !== 1 || image.size !== 32) {
      throw new TrainError(
        `FID/KID of a ${image.size}px ${image.channels}-channel run needs a feature network: give \`quality.featureModel\` ` +
          '(a tfjs layers model.json) and `quality.featureLayer`; the digits network that ships with @dcgan/core fits 1-channel 32px runs only',
      );
    }
  } else if (typeof featureModel !== 'string' || featureModel === '')
    bad('featureModel', 'a path to a model.json', featureModel);
  const featureLayer = options.featureLayer ?? (featureModel === null ? digitsFeatureLayer : null);
  if (typeof featureLayer !== 'string' || featureLayer === '')
    bad('featureLayer', 'the name of a layer of the feature model', featureLayer);
  return {
    every: options.every,
    sampleCount,
    featureModel: featureModel === null ? null : resolvePath(featureModel),
    featureLayer: featureLayer as string,
  };
}

/**
 * Scores the generator against real images of the run's dataset: 2 x sampleCount real images are read once
 * (a fixed shuffle of the run's seed), split into the reference half and the floor half; every evaluation
 * draws sampleCount images from the same latent vectors.
 */
export class QualityMonitor {
  readonly path: string;
  last: QualityRecord | null = null;
  private floor: QualityRecord['floor'] | null;

  private constructor(
    directory: string,
    private readonly settings: QualitySettings,
    private readonly featureModel: tfl.LayersModel,
    private readonly evaluator: FidEvaluator,
    private readonly z: tf.Tensor2D,
    floor: NonNullable<QualityRecord['floor']>,
  ) {
    this.path = join(directory, qualityFileName);
    this.floor = floor;
  }

  /** Loads the feature network, reads the real images and computes the floor. */
  static async create(
    directory: string,
    settings: QualitySettings,
    dataset: Awaited<ReturnType<typeof openDataset>>,
    run: { seed: number; latentDim: number },
  ): Promise<QualityMonitor> {
    const featureModel = await loadFeatureModel(settings);
    let z: tf.Tensor2D | null = null;
    try {
      const { reference, other } = await readRealHalves(dataset, settings.sampleCount, run.seed);
      try {
        const evaluator = await createFidEvaluator({
          featureModel,
          layer: settings.featureLayer,
          realImages: reference,
          seed: run.seed,
          // Subsets of half the set, so that kidStd says how much KID varies (whole-set subsets give 0).
          kidSubsetSize: Math.max(2, Math.floor(reference.shape[0] / 2)),
        });
        const floor = toScores(await evaluator.evaluateImages(other));
        // As many generated images as real ones (fewer than sampleCount when the dataset is small).
        z = sampleLatent(reference.shape[0], run.latentDim, (run.seed % 0x7fffffff) + 0x5eed);
        return new QualityMonitor(directory, settings, featureModel, evaluator, z, floor);
      } finally {
        reference.dispose();
        other.dispose();
      }
    } catch (error) {
      z?.dispose();
      featureModel.dispose();
      throw error;
    }
  }

  /** Whether the run evaluates after `step`. */
  due(step: number): boolean {
    return step % this.settings.every === 0;
  }

  /** Scores the trainer's generator at its step and appends the line to quality.ndjson. */
  async evaluate(trainer: Trainer): Promise<QualityRecord> {
    const started = performance.now();
    const images = generate(trainer.generator, this.z);
    let scores: { fid: number; kid: number; kidStd: number };
    try {
      const finite = tf.tidy(() => tf.all(tf.isFinite(images)));
      const allFinite = (await finite.data())[0] === 1;
      finite.dispose();
      scores = allFinite
        ? toScores(await this.evaluator.evaluateImages(images))
        : { fid: Number.NaN, kid: Number.NaN, kidStd: Number.NaN };
    } finally {
      images.dispose();
    }
    const record: QualityRecord = {
      step: trainer.completedSteps,
      ...scores,
      sampleCount: this.z.shape[0],
      seconds: (performance.now() - started) / 1000,
      ...(this.floor === null ? {} : { floor: this.floor }),
    };
    this.floor = null;
    // JSON has no NaN: a diverged generator's scores are written as null.
    await appendFile(this.path, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
    this.last = record;
    return record;
  }

  dispose(): void {
    this.z.dispose();
    this.featureModel.dispose();
  }
}

function toScores(scores: QualityScores): { fid: number; kid: number; kidStd: number } {
  return { fid: scores.fid, kid: scores.kid, kidStd: scores.kidStd };
}

async function loadFeatureModel(settings: QualitySettings): Promise<tfl.LayersModel> {
  if (settings.featureModel === null) return loadDigitsFeatureModel();
  const folder = settings.featureModel.endsWith('.json') ? join(settings.featureModel, '..') : settings.featureModel;
  try {
    return await loadGenerator(folder);
  } catch (error) {
    throw new TrainError(`Cannot load the FID feature model ${settings.featureModel}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** 2 x `count` real images of the dataset (fewer if it has fewer), as two disjoint halves of equal size. */
async function readRealHalves(
  dataset: Awaited<ReturnType<typeof openDataset>>,
  count: number,
  seed: number,
): Promise<{ reference: tf.Tensor4D; other: tf.Tensor4D }> {
  const parts: tf.Tensor4D[] = [];
  let read = 0;
  const batches = createBatches(dataset.source, {
    batchSize: 2 * count,
    seed: (seed % 0x7fffffff) + 0x9e41,
    transform: dataset.transform,
    dropRemainder: false,
  });
  for await (const batch of batches) {
    parts.push(batchToTensor(tf, batch) as tf.Tensor4D);
    read += batch.shape[0];
    if (read >= 2 * count) break;
  }
  const half = Math.floor(Math.min(read, 2 * count) / 2);
  if (half < 2) {
    for (const part of parts) part.dispose();
    throw new TrainError(`FID/KID needs at least 4 readable images of ${dataset.description}, got ${read}`);
  }
  const all = tf.tidy(() => (parts.length === 1 ? parts[0]!.clone() : tf.concat(parts)));
  for (const part of parts) part.dispose();
  const reference = tf.slice(all, [0, 0, 0, 0], [half, -1, -1, -1]);
  const other = tf.slice(all, [half, 0, 0, 0], [half, -1, -1, -1]);
  all.dispose();
  return { reference, other };
}
