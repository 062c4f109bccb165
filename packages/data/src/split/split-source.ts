import { createPermutation, createSeededRandom, mixSeed } from '@dcgan/common';
import { DataError } from '../errors/data-error';
import type { LabelledImageSource } from '../source/define-source';
import type { ImageSource } from '../source/image-source';
import { readAllLabels, subsetSource } from './subset-source';

/** Options of {@link splitSource}. */
export interface SplitOptions {
  /** Validation size: a count (integer >= 1) or a fraction in (0, 1). */
  readonly validation: number;
  /** @default 0 */
  readonly seed?: number;
}

/** Two disjoint parts of a source. */
export interface SourceSplit {
  readonly train: LabelledImageSource;
  readonly validation: LabelledImageSource;
}

const sortAscending = (indices: Uint32Array): Uint32Array => indices.sort();

/**
 * Seeded random train/validation split by count or fraction. Each part keeps storage order (good for disk reads);
 * `createBatches` shuffles each epoch.
 *
 * @example
 * const { train, validation } = splitSource(await openCifar('cifar-10-batches-bin'), { validation: 5000, seed: 1 });
 */
export function splitSource(source: ImageSource, options: SplitOptions): SourceSplit {
  const { validation, seed = 0 } = options;
  const length = source.length;
  if (length === undefined || !source.randomAccess)
    throw new DataError(
      `${source.description}: is stream-only; splitting needs random access (cache it with createShardCache first)`,
    );
  const count = validation < 1 ? Math.round(validation * length) : validation;
  if (!(validation > 0) || (validation >= 1 && !Number.isInteger(validation)) || count < 1 || count >= length) {
    throw new DataError(
      `Expected \`validation\` to be a fraction in (0, 1) or an integer count in 1..${length - 1} leaving both parts non-empty, got \`${validation}\``,
    );
  }
  const order = createPermutation(length, createSeededRandom(mixSeed(seed, 0x5e1)));
  return {
    train: subsetSource(source, sortAscending(order.slice(count)), `train split of ${source.description}`),
    validation: subsetSource(source, sortAscending(order.slice(0, count)), `validation split of ${source.description}`),
  };
}

/** Options of {@link sampleStratified}. */
export interface StratifiedOptions {
  /** Items to take from each class. */
  readonly perClass: number;
  /** @default 0 */
  readonly seed?: number;
  /** Classes to sample. @default every label present */
  readonly classes?: readonly number[];
}

/** A stratified sample and everything else. */
export interface StratifiedSample {
  readonly sampled: LabelledImageSource;
  readonly remaining: LabelledImageSource;
}

/**
 * Takes exactly `perClass` random items of each class (seeded), e.g. the paper's SVHN protocol of 1,000 labelled
 * examples = 100 per digit; `remaining` holds all other items. Fails fast if a class has too few items.
 *
 * @example
 * const { sampled } = await sampleStratified(await openSvhn('train_32x32.mat'), { perClass: 100, seed: 7 });
 */
export async function sampleStratified(source: ImageSource, options: StratifiedOptions): Promise<StratifiedSample> {
  const { perClass, seed = 0 } = options;
  if (!Number.isInteger(perClass) || perClass < 1)
    throw new DataError(`Expected \`perClass\` to be a positive integer, got \`${perClass}\``);
  const labels = await readAllLabels(source);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, index) => {
    if (label < 0) return;
    const members = byClass.get(label) ?? [];
    members.push(index);
    byClass.set(label, members);
  });
  const classes = options.classes ?? [...byClass.keys()].sort((left, right) => left - right);
  if (classes.length === 0) throw new DataError(`${source.description}: has no labelled items to sample`);
  const chosen: number[] = [];
  for (const label of classes) {
    const members = byClass.get(label) ?? [];
    if (members.length < perClass)
      throw new DataError(
        `${source.description}: class ${label} has ${members.length} items, fewer than \`perClass\` = ${perClass}`,
      );
    const order = createPermutation(members.length, createSeededRandom(mixSeed(seed, label, 0x57a7)));
    for (let position = 0; position < perClass; position += 1) chosen.push(members[order[position]!]!);
  }
  const taken = new Uint8Array(labels.length);
  for (const index of chosen) taken[index] = 1;
  const remaining: number[] = [];
  taken.forEach((flag, index) => {
    if (flag === 0) remaining.push(index);
  });
  chosen.sort((left, right) => left - right);
  return {
    sampled: subsetSource(source, chosen, `${perClass} per class of ${source.description}`),
    remaining: subsetSource(source, remaining, `remainder after ${perClass} per class of ${source.description}`),
  };
}
