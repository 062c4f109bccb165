import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { collectShards, mergeByPosition, type CollectedShard } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import { concatenate, hashShardStage, shapeSkipPrefix } from './hash-source';
import { HashStore, type HashChunk, type HashStoreManifest } from './hash-store';

/** What {@link mergeHashShards} wrote. */
export interface MergedHashShards {
  readonly directory: string;
  readonly shards: number;
  readonly itemsRead: number;
  readonly hashed: number;
  readonly skipped: number;
  readonly chunks: number;
}

type MergeItem =
  | {
      readonly index: number;
      readonly key: string;
      readonly codes: Uint8Array;
      readonly probes: Uint8Array;
      readonly thumbnail: Uint8Array;
    }
  | { readonly index: number; readonly key: string; readonly reason: string };

async function readShardItems(
  shard: CollectedShard,
): Promise<{ manifest: HashStoreManifest; items: MergeItem[]; itemsRead: number }> {
  const manifestPath = join(shard.directory, 'manifest.json');
  let manifest: HashStoreManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as HashStoreManifest;
  } catch (error) {
    throw new DedupError(`${manifestPath}: cannot read the shard's hash manifest: ${(error as Error).message}`, {
      cause: error,
      file: manifestPath,
    });
  }
  const store = await HashStore.open(shard.directory, manifest, false);
  const chunks = await store.readChunks();
  const itemsRead = chunks.reduce((sum, chunk) => sum + chunk.itemsRead, 0);
  if (itemsRead !== shard.manifest.items) {
    throw new DedupError(
      `${shard.directory}: holds ${itemsRead} items in finished chunks but its shard.json says ${shard.manifest.items}; rerun the shard`,
      { file: shard.directory },
    );
  }
  const codeBytes = Math.ceil(manifest.codeBits / 8);
  const probeBytes = codeBytes * manifest.probesPerItem;
  const thumbnailBytes = manifest.thumbnailSize ** 2 * manifest.thumbnailChannels;
  const items: MergeItem[] = [];
  for (const chunk of chunks) {
    const size = chunk.indices.length;
    const probes = chunk.codes.subarray(size * codeBytes, size * (codeBytes + probeBytes));
    const thumbnails = chunk.codes.subarray(size * (codeBytes + probeBytes));
    chunk.indices.forEach((index, row) => {
      items.push({
        index,
        key: chunk.keys[row] as string,
        codes: chunk.codes.subarray(row * codeBytes, (row + 1) * codeBytes),
        probes: probes.subarray(row * probeBytes, (row + 1) * probeBytes),
        thumbnail: thumbnails.subarray(row * thumbnailBytes, (row + 1) * thumbnailBytes),
      });
    });
    for (const item of chunk.skipped) items.push(item);
  }
  return { manifest, items, itemsRead };
}

/**
 * Joins the hash shards under `<output>/shards/` (written by `hashSource` with `shard` and `directory`) into one
 * hash store in `directory`, byte for byte the store a single `hashSource` run over the whole source writes: the
 * same manifest, the same chunks (same boundaries, same order). Every shard must be present and complete; a missing,
 * duplicated or unfinished shard is refused with an error naming it. `hashSource` on the merged store then resumes
 * with nothing left to hash.
 *
 * @example
 * await mergeHashShards('runs/bedrooms', 'runs/bedrooms/hashes');
 */
export async function mergeHashShards(output: string, directory: string): Promise<MergedHashShards> {
  const shards = await collectShards(output, hashShardStage);
  const read = [];
  for (const shard of shards) read.push(await readShardItems(shard));
  const { shard: _shard, ...manifest } = read[0]!.manifest;
  const items = mergeByPosition(
    read.map((entry) => entry.items),
    (item) => item.index,
    (item) => `source item ${item.index} (${item.key})`,
  );
  const itemsRead = read.reduce((sum, entry) => sum + entry.itemsRead, 0);
  if (items.length !== itemsRead || (items.length > 0 && items.at(-1)!.index !== itemsRead - 1)) {
    throw new DedupError(
      `${output}: the shards hold ${items.length} items but positions up to ${items.at(-1)?.index ?? -1}; the shards do not cover the source`,
      { file: output },
    );
  }
  const store = await HashStore.open(directory, manifest, true);
  // Chunk ends as hashSource places them: a chunk closes once it holds chunkSize items, checked after each sample
  // (hashed, or skipped for its shape) but not after an undecodable item, which is reported between samples.
  let chunkNumber = 0;
  let pending: MergeItem[] = [];
  let firstItem = 0;
  const close = async (): Promise<void> => {
    if (pending.length === 0) return;
    const hashed = pending.filter((item): item is Extract<MergeItem, { codes: Uint8Array }> => 'codes' in item);
    const chunk: HashChunk = {
      chunk: chunkNumber,
      firstItem,
      itemsRead: pending.length,
      indices: hashed.map((item) => item.index),
      keys: hashed.map((item) => item.key),
      skipped: pending
        .filter((item): item is Extract<MergeItem, { reason: string }> => 'reason' in item)
        .map(({ index, key, reason }) => ({ index, key, reason })),
      // Laid out as hashSource writes a chunk: codes, then probe codes (item-major), then thumbnails.
      codes: concatenate([
        ...hashed.map((item) => item.codes),
        ...hashed.map((item) => item.probes),
        ...hashed.map((item) => item.thumbnail),
      ]),
    };
    await store.writeChunk(chunk);
    chunkNumber += 1;
    firstItem += pending.length;
    pending = [];
  };
  for (const item of items) {
    pending.push(item);
    const sample = 'codes' in item || item.reason.startsWith(shapeSkipPrefix);
    if (sample && pending.length >= manifest.chunkSize) await close();
  }
  await close();
  const hashed = items.filter((item) => 'codes' in item).length;
  return { directory, shards: shards.length, itemsRead, hashed, skipped: items.length - hashed, chunks: chunkNumber };
}
