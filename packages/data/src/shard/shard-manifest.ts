import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from '@dcgan/common/node';

import { DataError } from '../errors/data-error';
import { formatShard, shardFolderName, type Shard } from './shard-assignment';

/**
 * `shard.json`, written in each shard's output folder: which stage and shard it holds, under which settings, and
 * whether it finished. It is rewritten (atomically) with `complete: true` as the shard's last act, so a shard
 * killed mid-way is seen as incomplete by the merge, and rerunning it resumes from its own output.
 */
export interface ShardManifest {
  readonly format: 'dcgan-shard';
  readonly version: 1;
  /** The stage that wrote it, e.g. `faces`, `dedup-hashes`, `probe-features`. */
  readonly stage: string;
  readonly shard: Shard;
  /** The assignment rule, for readers: item `p` is in shard `p mod count`. */
  readonly rule: 'position-mod-count';
  /** Source items this shard has finished (all of its items once `complete`). */
  readonly items: number;
  readonly complete: boolean;
  /** The stage's settings and input; every shard of one run must agree. */
  readonly settings: unknown;
}

export const shardManifestName = 'shard.json';

/** Writes `shard.json` in `directory` (atomically). */
export async function writeShardManifest(
  directory: string,
  manifest: Pick<ShardManifest, 'stage' | 'shard' | 'items' | 'complete' | 'settings'>,
): Promise<void> {
  const full: ShardManifest = {
    format: 'dcgan-shard',
    version: 1,
    stage: manifest.stage,
    shard: manifest.shard,
    rule: 'position-mod-count',
    items: manifest.items,
    complete: manifest.complete,
    settings: manifest.settings,
  };
  await writeFileAtomic(
    join(directory, shardManifestName),
    new TextEncoder().encode(`${JSON.stringify(full, null, 2)}\n`),
  );
}

/** Reads `shard.json` from `directory`; undefined when there is none. */
export async function readShardManifest(directory: string): Promise<ShardManifest | undefined> {
  const path = join(directory, shardManifestName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataError(`${path}: cannot read the shard manifest: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  let manifest: ShardManifest;
  try {
    manifest = JSON.parse(text) as ShardManifest;
  } catch (error) {
    throw new DataError(`${path}: not JSON (${(error as Error).message}); rerun this shard to rewrite it`, {
      cause: error,
      file: path,
    });
  }
  if (
    manifest.format !== 'dcgan-shard' ||
    manifest.version !== 1 ||
    typeof manifest.shard?.index !== 'number' ||
    typeof manifest.shard?.count !== 'number'
  ) {
    throw new DataError(`${path}: not a dcgan shard manifest (format dcgan-shard, version 1)`, { file: path });
  }
  return manifest;
}

/** One shard's finished output, as {@link collectShards} found it. */
export interface CollectedShard {
  readonly shard: Shard;
  readonly directory: string;
  readonly manifest: ShardManifest;
}

/**
 * Finds the shards of one stage under `<output>/shards/` and checks that they make a whole run: all N shards
 * present, each once, all complete, all of this stage and with the same settings. Returns them in shard order.
 * Throws a `DataError` naming each missing, duplicated or unfinished shard otherwise.
 *
 * @example
 * const shards = await collectShards('faces-out', 'faces'); // [{ shard: { index: 0, count: 4 }, directory, manifest }, ...]
 */
export async function collectShards(output: string, stage: string): Promise<CollectedShard[]> {
  const parent = join(output, 'shards');
  let names: string[];
  try {
    names = (await readdir(parent, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new DataError(
      `${parent}: no shard outputs to merge (${(error as Error).message}); run the stage with --shard i/N first`,
      { cause: error, file: parent },
    );
  }
  const found: CollectedShard[] = [];
  for (const name of names) {
    const directory = join(parent, name);
    const manifest = await readShardManifest(directory);
    if (manifest === undefined)
      throw new DataError(
        `${directory}: has no ${shardManifestName}: not a shard output (a shard that never started?); remove it or rerun that shard`,
        { file: directory },
      );
    if (manifest.stage !== stage)
      throw new DataError(`${join(directory, shardManifestName)}: a \`${manifest.stage}\` shard, not \`${stage}\``, {
        file: directory,
      });
    found.push({ shard: manifest.shard, directory, manifest });
  }
  if (found.length === 0)
    throw new DataError(`${parent}: no shard outputs to merge; run the stage with --shard i/N first`, { file: parent });

  const counts = [...new Set(found.map((item) => item.shard.count))];
  if (counts.length > 1) {
    const byCount = counts
      .map((count) => `${found.filter((item) => item.shard.count === count).length} of ${count}`)
      .join(', ');
    throw new DataError(
      `${parent}: shards of different runs are mixed (${byCount}): keep the folders of one shard count`,
      { file: parent },
    );
  }
  const count = counts[0] as number;
  const problems: string[] = [];
  const missing: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const holders = found.filter((item) => item.shard.index === index);
    if (holders.length === 0) missing.push(`${formatShard({ index, count })} (${shardFolderName({ index, count })})`);
    if (holders.length > 1)
      problems.push(
        `shard ${formatShard({ index, count })} is duplicated in ${holders.map((item) => item.directory).join(' and ')}`,
      );
  }
  if (missing.length > 0) problems.unshift(`missing shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  for (const item of found) {
    if (!item.directory.endsWith(shardFolderName(item.shard)))
      problems.push(
        `${item.directory} holds shard ${formatShard(item.shard)}, whose folder is ${shardFolderName(item.shard)}`,
      );
    if (!item.manifest.complete)
      problems.push(
        `shard ${formatShard(item.shard)} is not complete (it stopped before its end; rerun it alone: it resumes from its own output)`,
      );
  }
  const reference = JSON.stringify(found[0]?.manifest.settings);
  for (const item of found) {
    if (JSON.stringify(item.manifest.settings) !== reference)
      problems.push(
        `shard ${formatShard(item.shard)} was made with other settings than shard ${formatShard(found[0]!.shard)}`,
      );
  }
  if (problems.length > 0) throw new DataError(`${parent}: cannot merge: ${problems.join('; ')}`, { file: parent });
  return found.sort((a, b) => a.shard.index - b.shard.index);
}

/**
 * Merges per-shard lists (each in its own storage order) into the single-process order, by source position.
 * Refuses a position held twice (naming it), so overlapping shards are never merged silently.
 *
 * @example
 * const records = mergeByPosition(shardRecords, (record) => record.index);
 */
export function mergeByPosition<T>(
  lists: readonly (readonly T[])[],
  positionOf: (item: T) => number,
  describe: (item: T) => string = (item) => `position ${positionOf(item)}`,
): T[] {
  const all = lists.flat();
  const positions = all.map(positionOf);
  const order = all.map((_, index) => index).sort((a, b) => (positions[a] as number) - (positions[b] as number));
  const merged: T[] = [];
  for (let rank = 0; rank < order.length; rank += 1) {
    const index = order[rank] as number;
    if (rank > 0 && positions[order[rank - 1] as number] === positions[index]) {
      throw new DataError(
        `Cannot merge: ${describe(all[index] as T)} is in more than one shard (were shards of different runs mixed?)`,
      );
    }
    merged.push(all[index] as T);
  }
  return merged;
}
