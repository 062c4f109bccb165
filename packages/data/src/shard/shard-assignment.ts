import { join } from 'node:path';

import { DataError } from '../errors/data-error';
import { defineSource } from '../source/define-source';
import type { ImageSource } from '../source/image-source';

/**
 * One slice of a dataset walk: shard `index` (0-based) of `count`. Item `p` of the source (storage order) belongs to
 * shard `p mod count`. The rule depends only on the position, so a rerun of shard `index` redoes exactly the same
 * items, shards stay balanced even when the storage order is grouped (class folders), and it works on stream-only
 * sources whose length is unknown.
 */
export interface Shard {
  /** 0-based shard number, `0 <= index < count`. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/** The whole dataset as a single shard (what a run without `--shard` does). */
export const wholeDataset: Shard = Object.freeze({ index: 0, count: 1 });

/** The environment variables that job engines give each worker, as `[index variable, count variable]`. */
export const shardEnvironmentVariables = [
  // Kubernetes Indexed Job: the index is set by Kubernetes; JOB_COMPLETIONS is set by our manifests (and by hand).
  ['JOB_COMPLETION_INDEX', 'JOB_COMPLETIONS'],
  // AWS Batch array job: the index is set by Batch; the size is passed as an environment override.
  ['AWS_BATCH_JOB_ARRAY_INDEX', 'AWS_BATCH_JOB_ARRAY_SIZE'],
] as const;

function checkShard(index: number, count: number, origin: string): Shard {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new DataError(`Expected the shard count to be a positive integer, got \`${count}\` (${origin})`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new DataError(`Expected the shard index to be an integer in 0..${count - 1}, got \`${index}\` (${origin})`);
  }
  return { index, count };
}

function integer(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * Parses `i/N` (0-based `i`), as `--shard 3/8` is written.
 *
 * @example
 * parseShard('3/8'); // { index: 3, count: 8 }
 */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) throw new DataError(`Expected \`--shard\` as i/N with 0 <= i < N (e.g. 0/4), got \`${text}\``);
  return checkShard(Number(match[1]), Number(match[2]), `--shard ${text}`);
}

/**
 * The shard a job engine assigned through the environment: `JOB_COMPLETION_INDEX`/`JOB_COMPLETIONS` (Kubernetes
 * Indexed Job) or `AWS_BATCH_JOB_ARRAY_INDEX`/`AWS_BATCH_JOB_ARRAY_SIZE` (AWS Batch array job). Undefined when
 * neither index variable is set; an index without its count is an error (a worker must not guess N).
 */
export function shardFromEnvironment(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Shard | undefined {
  for (const [indexName, countName] of shardEnvironmentVariables) {
    const indexText = environment[indexName];
    if (indexText === undefined || indexText === '') continue;
    const countText = environment[countName];
    if (countText === undefined || countText === '') {
      throw new DataError(
        `${indexName}=${indexText} is set but ${countName} is not: set ${countName} to the number of shards (the job's completions or array size), or pass --shard i/N`,
      );
    }
    return checkShard(integer(indexText), integer(countText), `${indexName}=${indexText}, ${countName}=${countText}`);
  }
  return undefined;
}

/**
 * The shard a stage works on: `--shard i/N` when given, else the job engine's environment, else the whole dataset.
 *
 * @example
 * const shard = resolveShard(values.shard); // { index: 0, count: 1 } on a laptop, { index: 3, count: 8 } in pod 3 of 8
 */
export function resolveShard(
  flag: string | undefined,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Shard {
  if (flag !== undefined) return parseShard(flag);
  return shardFromEnvironment(environment) ?? wholeDataset;
}

/** True for the whole dataset (no sharding). */
export function isWholeDataset(shard: Shard | undefined): boolean {
  return shard === undefined || shard.count === 1;
}

/** True when source position `position` belongs to `shard`. */
export function isInShard(position: number, shard: Shard): boolean {
  return position % shard.count === shard.index;
}

/** The source position of the shard's `local`-th item. */
export function shardItemPosition(local: number, shard: Shard): number {
  return local * shard.count + shard.index;
}

/** How many of `total` items fall in `shard`. */
export function shardItemCount(total: number, shard: Shard): number {
  return total <= shard.index ? 0 : Math.floor((total - 1 - shard.index) / shard.count) + 1;
}

/** `i/N`, as parsed by {@link parseShard}. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** Folder name of a shard's output: `shard-00003-of-00008`. Sorted names are in shard order. */
export function shardFolderName(shard: Shard): string {
  return `shard-${String(shard.index).padStart(5, '0')}-of-${String(shard.count).padStart(5, '0')}`;
}

/** Where a stage run with `--out <output>` writes shard `shard`: `<output>/shards/shard-0000i-of-0000N`. */
export function shardDirectory(output: string, shard: Shard): string {
  return join(output, 'shards', shardFolderName(shard));
}

/**
 * The items of `source` that belong to `shard`, in storage order (item `k` of the result is source item
 * `shardItemPosition(k, shard)`). Random access is kept where the source has it; a stream-only source is read
 * through and the other shards' items are passed over undecoded. The whole dataset returns `source` itself.
 *
 * @example
 * const mine = shardSource(await openLmdbImages('bedroom_train_lmdb'), resolveShard(values.shard));
 */
export function shardSource(source: ImageSource, shard: Shard): ImageSource {
  if (isWholeDataset(shard)) return source;
  const description = `${source.description}, shard ${formatShard(shard)}`;
  const length = source.length === undefined ? undefined : shardItemCount(source.length, shard);
  if (source.randomAccess && length !== undefined) {
    return defineSource({
      description,
      length,
      classNames: source.classNames,
      readItem: (local) => source.readItem(shardItemPosition(local, shard)),
      close: () => source.close(),
    });
  }
  return defineSource({
    description,
    length,
    classNames: source.classNames,
    items: async function* () {
      let position = 0;
      for await (const item of source.items()) {
        if (isInShard(position, shard)) yield item;
        position += 1;
      }
    },
    close: () => source.close(),
  });
}
