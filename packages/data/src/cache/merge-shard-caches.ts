import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from '@dcgan/common/node';

import { DataError } from '../errors/data-error';
import { collectShards, mergeByPosition } from '../shard/shard-manifest';
import { maximumListedSkips, type SkippedItem } from '../source/events';
import {
  openShardCache,
  readPositions,
  readState,
  shardCacheStage,
  writeState,
  type CacheState,
  type ShardRecord,
  type ShardCacheSource,
} from './shard-cache';

type Entry =
  | { readonly position: number; readonly cache: ShardCacheSource; readonly index: number }
  | { readonly position: number; readonly skip: SkippedItem | undefined };

/**
 * Joins the cache shards under `<output>/shards/` (from `createShardCache` with `shard`) into one cache in
 * `directory`: the same images, labels, shard files and manifest that `createShardCache` over the whole source
 * writes. Every shard must be present and complete (a missing, duplicated or unfinished one is refused by name),
 * and all must have cached images of one shape.
 *
 * @example
 * const cached = await mergeShardCaches('cache/bedrooms-64', 'cache/bedrooms-64/merged');
 */
export async function mergeShardCaches(output: string, directory: string): Promise<ShardCacheSource> {
  const shards = await collectShards(output, shardCacheStage);
  const settings = shards[0]!.manifest.settings as {
    fingerprint: string;
    source: string;
    classNames: readonly string[] | null;
    shardSize: number;
  };
  const lists: Entry[][] = [];
  const caches: ShardCacheSource[] = [];
  let shape: Pick<CacheState, 'width' | 'height' | 'channels'> | undefined;
  let consumed = 0;
  let skippedCount = 0;
  await mkdir(directory, { recursive: true });
  try {
    for (const { directory: folder } of shards) {
      const state = (await readState(join(folder, 'manifest.json')))!;
      if (
        shape !== undefined &&
        (state.width !== shape.width || state.height !== shape.height || state.channels !== shape.channels)
      ) {
        throw new DataError(
          `${folder}: holds ${state.height}x${state.width}x${state.channels} images where the other shards hold ${shape.height}x${shape.width}x${shape.channels}; use a transform with a fixed output size`,
          { file: folder },
        );
      }
      shape = { width: state.width, height: state.height, channels: state.channels };
      const cache = await openShardCache(folder);
      caches.push(cache);
      const positions = await readPositions(folder);
      if (positions.images.length !== cache.length || positions.skipped.length !== state.skippedCount) {
        throw new DataError(
          `${folder}: positions.json does not match the cache (${positions.images.length} of ${cache.length} images, ${positions.skipped.length} of ${state.skippedCount} skips); rerun the shard`,
          { file: folder },
        );
      }
      consumed += state.consumed;
      skippedCount += state.skippedCount;
      lists.push([
        ...positions.images.map((position, index) => ({ position, cache, index })),
        ...positions.skipped.map((position, index) => ({ position, skip: state.skipped[index] })),
      ]);
    }
    const entries = mergeByPosition(
      lists,
      (entry) => entry.position,
      (entry) => `source item ${entry.position}`,
    );
    const imageBytes = shape!.width * shape!.height * shape!.channels;
    const records: ShardRecord[] = [];
    const skipped: SkippedItem[] = [];
    let pixels = new Uint8Array(settings.shardSize * imageBytes);
    let labels: number[] = [];
    const flush = async (): Promise<void> => {
      if (labels.length === 0) return;
      const name = `shard-${String(records.length).padStart(5, '0')}`;
      await writeFileAtomic(join(directory, `${name}.u8`), pixels.subarray(0, labels.length * imageBytes));
      const labelBytes = new Uint8Array(labels.length * 4);
      const view = new DataView(labelBytes.buffer);
      labels.forEach((label, index) => view.setInt32(index * 4, label, true));
      await writeFileAtomic(join(directory, `${name}.labels`), labelBytes);
      records.push({ file: name, count: labels.length });
      pixels = new Uint8Array(settings.shardSize * imageBytes);
      labels = [];
    };
    for (const entry of entries) {
      if ('skip' in entry) {
        if (skipped.length < maximumListedSkips) {
          // The first skips of the whole run are among the first of their own shard, which listed them.
          if (entry.skip === undefined)
            throw new DataError(`${output}: the skip at source item ${entry.position} was not listed by its shard`);
          skipped.push(entry.skip);
        }
        continue;
      }
      const item = await entry.cache.readItem(entry.index);
      pixels.set((item.payload as { data: Uint8Array }).data, labels.length * imageBytes);
      labels.push(item.label ?? -1);
      if (labels.length === settings.shardSize) await flush();
    }
    await flush();
    const state: CacheState = {
      format: 'dcgan-shard-cache',
      version: 1,
      fingerprint: settings.fingerprint,
      source: settings.source,
      width: shape!.width,
      height: shape!.height,
      channels: shape!.channels,
      shardSize: settings.shardSize,
      classNames: settings.classNames,
      consumed,
      shards: records,
      skippedCount,
      skipped,
      complete: true,
    };
    await writeState(join(directory, 'manifest.json'), state);
  } finally {
    await Promise.all(caches.map((cache) => cache.close()));
  }
  return openShardCache(directory);
}
