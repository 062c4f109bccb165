import { mixSeed } from '@dcgan/common';
import type { ImageSource } from '@dcgan/data';

import { ProbeError } from '../errors/probe-error';
import type { StoredFeatures } from '../features/feature-store';
import type { ProbeImages } from '../features/probe-images';
import type { ResolvedProtocol } from './linear-probe-options';
import { drawPerClass, stratifiedSplit } from './stratified-split';

/**
 * The validation split and the pool, drawn from the training labels alone (before any image is decoded), so that
 * every shard of a sharded extraction draws the same split without knowing which images the other shards decode.
 */
export interface HeldOutSplit {
  /** Label of every training position. */
  readonly trainLabels: Int32Array;
  readonly validation: Int32Array;
  /** The training positions that are not in `validation` (the batch-norm statistics images come from here). */
  readonly pool: Int32Array;
}

/** The protocol's positions, restricted to the training images that decoded, with the labelled draws. */
export interface ProbeSplit extends HeldOutSplit {
  readonly selectionDraws: readonly Int32Array[];
  readonly testDraws: readonly Int32Array[];
}

/** Labels of the training selection, read from the source without decoding an image. */
export async function readTrainLabels(images: ProbeImages): Promise<Int32Array> {
  const source = images.source as ImageSource & { readLabels?: () => Promise<Int32Array> };
  if (typeof source.readLabels !== 'function') {
    throw new ProbeError(
      `Expected a labelled source with \`readLabels()\` for the training images, got ${source.description}`,
    );
  }
  const all = await source.readLabels();
  const count = images.indices?.length ?? all.length;
  return Int32Array.from(
    { length: count },
    (_, position) => all[images.indices === undefined ? position : images.indices[position]!]!,
  );
}

/** The stratified validation split of every training position (seeded; the same in every process). */
export function holdOutValidation(settings: ResolvedProtocol, trainLabels: Int32Array): HeldOutSplit {
  const { heldOut: validation, rest: pool } = stratifiedSplit(trainLabels, settings.validationSize, {
    seed: mixSeed(settings.seed, 1),
  });
  return { trainLabels, validation, pool };
}

/**
 * Drops the training images that did not decode (`decoded`: positions of the pixel rows) from the validation split
 * and the pool, and draws the labelled sets from what is left. An image that does not decode leaves the part it was
 * drawn into one image smaller; with every image decoded the split is the one drawn before decoding.
 */
export function drawProbeSplit(settings: ResolvedProtocol, heldOut: HeldOutSplit, decoded: Int32Array): ProbeSplit {
  const { trainLabels } = heldOut;
  const usable = new Set(decoded);
  const keep = (positions: Int32Array) =>
    usable.size === trainLabels.length ? positions : positions.filter((position) => usable.has(position));
  const validation = keep(heldOut.validation);
  const pool = keep(heldOut.pool);
  if (validation.length === 0)
    throw new ProbeError('No validation image decoded: every image of the validation split was skipped');
  const draw = (kind: number, index: number) =>
    settings.labelsPerClass === null
      ? pool
      : drawPerClass(trainLabels, settings.labelsPerClass, {
          candidates: pool,
          seed: mixSeed(settings.seed, kind, index),
        });
  return {
    trainLabels,
    validation,
    pool,
    selectionDraws: Array.from({ length: settings.selectionDraws }, (_, index) => draw(3, index)),
    testDraws: Array.from({ length: settings.draws }, (_, index) => draw(2, index)),
  };
}

/** Rows of `positions` in extracted features (every drawn position must have been extracted). */
export function rowsOf(features: StoredFeatures, positions: ArrayLike<number>, method: string): Int32Array {
  const rowByPosition = new Map<number, number>();
  features.positions.forEach((position, row) => rowByPosition.set(position, row));
  return Int32Array.from({ length: positions.length }, (_, index) => {
    const row = rowByPosition.get(positions[index]!);
    if (row === undefined)
      throw new ProbeError(
        `Method \`${method}\` has no features for training image ${positions[index]} (it decoded for the pixel pass)`,
      );
    return row;
  });
}

/** The labels at `positions`. */
export function labelsAt(labels: Int32Array, positions: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: positions.length }, (_, index) => labels[positions[index]!]!);
}
