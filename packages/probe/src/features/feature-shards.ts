import { mkdir } from 'node:fs/promises';

import {
  collectShards,
  mergeByPosition,
  readShardManifest,
  shardItemCount,
  shardItemPosition,
  writeShardManifest,
  type Shard,
} from '@dcgan/data';

import { ProbeError } from '../errors/probe-error';
import type { FeatureExtractor } from './feature-extractor';
import {
  readChunks,
  readFeatureStoreManifest,
  writeFeatureChunk,
  writeFeatureStoreManifest,
  type FeatureChunkRecord,
  type FeatureStorageType,
  type FeatureStoreManifest,
  type StoredFeatures,
} from './feature-store';
import { probeImageCount, selectionIdentity, type ProbeImages } from './probe-images';

/** The stage name in the `shard.json` of a feature-store shard. */
export const featureShardStage = 'probe-features';

/** What every shard of one extraction shares; the merged manifest is made from it. */
type FeatureShardSettings = Pick<
  FeatureStoreManifest,
  'extractor' | 'fingerprint' | 'selection' | 'dimension' | 'storage' | 'chunkItems' | 'totalItems'
>;

/** The selection items of `shard` (selection position `p` when `p mod count === index`), as a selection of their own. */
export function shardProbeImages(images: ProbeImages, shard: Shard): ProbeImages {
  const total = probeImageCount(images);
  const indices = Int32Array.from({ length: shardItemCount(total, shard) }, (_, local) => {
    const position = shardItemPosition(local, shard);
    return images.indices === undefined ? position : (images.indices[position] as number);
  });
  return { ...images, indices };
}

/**
 * `extractFeatures` with `shard`: extracts the shard's items into `directory` (a store of their own, resumable as
 * ever), with a `shard.json` that records the shard and, at the end, that it is complete. Positions in the result
 * are positions in the whole selection.
 */
export async function extractFeatureShard(
  extractor: FeatureExtractor,
  images: ProbeImages,
  shard: Shard,
  options: {
    readonly directory?: string | undefined;
    readonly storage: FeatureStorageType;
    readonly chunkItems: number;
  },
  extract: (images: ProbeImages) => Promise<StoredFeatures>,
): Promise<StoredFeatures> {
  const settings: FeatureShardSettings = {
    extractor: extractor.name,
    fingerprint: extractor.fingerprint,
    selection: selectionIdentity(images),
    dimension: extractor.dimension,
    storage: options.storage,
    chunkItems: options.chunkItems,
    totalItems: probeImageCount(images),
  };
  const { directory } = options;
  if (directory !== undefined) {
    await mkdir(directory, { recursive: true });
    const earlier = await readShardManifest(directory);
    const items = (await readFeatureStoreManifest(directory))?.chunks.at(-1)?.end ?? 0;
    if (earlier === undefined || !earlier.complete)
      await writeShardManifest(directory, { stage: featureShardStage, shard, items, complete: false, settings });
  }
  const stored = await extract(shardProbeImages(images, shard));
  if (directory !== undefined) {
    await writeShardManifest(directory, {
      stage: featureShardStage,
      shard,
      items: shardItemCount(settings.totalItems, shard),
      complete: true,
      settings,
    });
  }
  return { ...stored, positions: stored.positions.map((local) => shardItemPosition(local, shard)) };
}

type MergeEntry =
  | { readonly position: number; readonly row: Float32Array; readonly label: number; readonly key: string }
  | { readonly position: number; readonly skipped: { readonly key: string; readonly reason: string } };

/** A shard store's rows and skips, at their positions in the whole selection. */
async function readShardEntries(directory: string, shard: Shard): Promise<MergeEntry[]> {
  const manifest = await readFeatureStoreManifest(directory);
  if (manifest === undefined || !manifest.complete)
    throw new ProbeError(`${directory}: the shard's feature store is missing or incomplete; rerun the shard`, {
      file: directory,
    });
  const entries: MergeEntry[] = [];
  for (const chunk of manifest.chunks) {
    const stored = await readChunks(directory, manifest, [chunk]);
    const hasRow = new Set(stored.positions);
    // Skips are reported in storage order, so they fill the chunk's positions that have no row, in order.
    const missing = Array.from({ length: chunk.end - chunk.start }, (_, offset) => chunk.start + offset).filter(
      (local) => !hasRow.has(local),
    );
    if (missing.length !== stored.skipped.length) {
      throw new ProbeError(
        `${directory}/${chunk.metadataFile}: ${stored.skipped.length} skipped items for ${missing.length} items without a row`,
        { file: directory },
      );
    }
    stored.positions.forEach((local, row) => {
      entries.push({
        position: shardItemPosition(local, shard),
        row: stored.features.row(row),
        label: stored.labels[row] as number,
        key: stored.keys[row] as string,
      });
    });
    missing.forEach((local, index) =>
      entries.push({ position: shardItemPosition(local, shard), skipped: stored.skipped[index]! }),
    );
  }
  return entries;
}

/**
 * Joins the feature-store shards under `<output>/shards/` (from `extractFeatures` with `shard`) into one store in
 * `directory`, byte for byte the store one `extractFeatures` run over the whole selection writes (same chunks, same
 * manifest). Every shard must be present and complete; a missing, duplicated or unfinished shard is refused by name.
 *
 * @example
 * await mergeFeatureShards('runs/probe/features-train', 'runs/probe/features-train');
 */
export async function mergeFeatureShards(output: string, directory: string): Promise<FeatureStoreManifest> {
  const shards = await collectShards(output, featureShardStage);
  const settings = shards[0]!.manifest.settings as FeatureShardSettings;
  const lists: MergeEntry[][] = [];
  for (const { directory: shardFolder, shard } of shards) lists.push(await readShardEntries(shardFolder, shard));
  const entries = mergeByPosition(
    lists,
    (entry) => entry.position,
    (entry) => `selection item ${entry.position}`,
  );
  if (entries.length !== settings.totalItems)
    throw new ProbeError(`${output}: the shards hold ${entries.length} of ${settings.totalItems} items`, {
      file: output,
    });
  const chunks: FeatureChunkRecord[] = [];
  for (let start = 0; start < settings.totalItems; start += settings.chunkItems) {
    const end = Math.min(settings.totalItems, start + settings.chunkItems);
    const part = entries.slice(start, end);
    const rows = part.filter((entry): entry is Extract<MergeEntry, { row: Float32Array }> => 'row' in entry);
    chunks.push(
      await writeFeatureChunk(
        directory,
        chunks.length,
        settings.storage,
        rows.map((entry) => entry.row),
        {
          labels: rows.map((entry) => entry.label),
          keys: rows.map((entry) => entry.key),
          positions: rows.map((entry) => entry.position),
          skipped: part
            .filter((entry): entry is Extract<MergeEntry, { skipped: unknown }> => 'skipped' in entry)
            .map((entry) => entry.skipped),
        },
        start,
        end,
      ),
    );
  }
  const manifest: FeatureStoreManifest = {
    format: 'dcgan-probe-features',
    version: 1,
    extractor: settings.extractor,
    fingerprint: settings.fingerprint,
    selection: settings.selection,
    dimension: settings.dimension,
    storage: settings.storage,
    chunkItems: settings.chunkItems,
    totalItems: settings.totalItems,
    chunks,
    complete: true,
  };
  await writeFeatureStoreManifest(directory, manifest);
  return manifest;
}
