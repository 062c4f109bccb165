import * as tf from '@tensorflow/tfjs-core';
import { isWholeDataset, type DataEvent, type Shard } from '@dcgan/data';

import { ProbeError, describeValue } from '../errors/probe-error';
import { FeatureMatrix } from '../svm/feature-matrix';
import type { FeatureExtractor } from './feature-extractor';
import type { FeatureEventListener } from './feature-events';
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
import { extractFeatureShard } from './feature-shards';
import { roundThroughFloat16 } from './float16';
import {
  checkBatchShape,
  probeImageCount,
  selectionBatches,
  selectionIdentity,
  untagKey,
  type ProbeImages,
} from './probe-images';

/** Options of {@link extractFeatures}. */
export interface ExtractFeaturesOptions {
  /**
   * Images per forward pass.
   * @default 64
   */
  readonly batchSize?: number;
  /**
   * Folder of a feature store: finished chunks are written there as they complete, and a later call with the
   * same extractor and images resumes after the last finished chunk. Without it, features stay in memory.
   * @default undefined (memory only)
   */
  readonly directory?: string;
  /**
   * Element type on disk: float16 halves the space (a 50,000 x 28,672 store is 2.7 GiB) at a relative
   * rounding error below 2^-11. With a `directory`, the features returned are the stored ones (rounded to float16),
   * the same a resumed run reads back.
   * @default 'float16'
   */
  readonly storage?: FeatureStorageType;
  /**
   * Items per chunk, the unit of resumption.
   * @default 2048
   */
  readonly chunkItems?: number;
  /**
   * Extract only this shard of the selection (selection position `p` when `p mod count === index`; see `resolveShard`
   * of @dcgan/data) into `directory`, which also gets a `shard.json`; `mergeFeatureShards` joins the shards into the
   * store one run over the whole selection writes. Returned positions are positions in the whole selection.
   * @default the whole selection
   */
  readonly shard?: Shard;
  readonly onEvent?: FeatureEventListener;
  /** Aborting stops after the current batch with a `ProbeError`; finished chunks stay on disk. */
  readonly signal?: AbortSignal;
}

/**
 * Streams images through an extractor in batches and collects one feature row per decodable image, with
 * its label and key. Undecodable images are skipped and reported (event and `skipped`). With a
 * `directory`, chunks are stored as they finish (float16 by default) and an interrupted run resumes.
 *
 * @example
 * ```ts
 * const { features, labels } = await extractFeatures(extractor, { source, indices: trainIndices, transform: [pad(32)] }, {
 *   directory: 'runs/probe/features-train',
 *   onEvent: (event) => { if (event.status === 'extract-progress') bar.update(event.items / event.total); },
 * });
 * ```
 */
export async function extractFeatures(
  extractor: FeatureExtractor,
  images: ProbeImages,
  options: ExtractFeaturesOptions = {},
): Promise<StoredFeatures> {
  const { batchSize = 64, directory, storage = 'float16', chunkItems = 2048, onEvent, signal, shard } = options;
  if (shard !== undefined && !isWholeDataset(shard)) {
    return extractFeatureShard(extractor, images, shard, { directory, storage, chunkItems }, (part) =>
      extractFeatures(extractor, part, { ...options, shard: undefined }),
    );
  }
  for (const [name, value] of [
    ['batchSize', batchSize],
    ['chunkItems', chunkItems],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new ProbeError(`Expected \`${name}\` to be a positive integer, got \`${describeValue(value)}\``);
  }
  if (storage !== 'float16' && storage !== 'float32')
    throw new ProbeError(`Expected \`storage\` to be 'float16' or 'float32', got \`${describeValue(storage)}\``);
  const total = probeImageCount(images);
  const selection = selectionIdentity(images);
  const started = performance.now();

  let manifest: FeatureStoreManifest = {
    format: 'dcgan-probe-features',
    version: 1,
    extractor: extractor.name,
    fingerprint: extractor.fingerprint,
    selection,
    dimension: extractor.dimension,
    storage,
    chunkItems,
    totalItems: total,
    chunks: [],
    complete: false,
  };
  let resumed: StoredFeatures | undefined;
  if (directory !== undefined) {
    const existing = await readFeatureStoreManifest(directory);
    if (existing !== undefined) {
      for (const field of ['fingerprint', 'selection', 'dimension', 'storage', 'chunkItems', 'totalItems'] as const) {
        if (existing[field] !== manifest[field]) {
          throw new ProbeError(
            `${directory}: this feature store was made with another ${field} (${describeValue(existing[field])}, now ${describeValue(manifest[field])}); ` +
              'delete it or use another directory',
            { file: directory },
          );
        }
      }
      manifest = existing;
      resumed = await readChunks(directory, manifest, manifest.chunks);
      if (manifest.complete) return resumed;
      onEvent?.({
        status: 'resumed',
        extractor: extractor.name,
        chunks: manifest.chunks.length,
        items: manifest.chunks.at(-1)?.end ?? 0,
        directory,
      });
    }
  }

  const rows: Float32Array[] = resumed === undefined ? [] : [...resumed.features];
  const labels: number[] = resumed === undefined ? [] : Array.from(resumed.labels);
  const keys: string[] = resumed === undefined ? [] : [...resumed.keys];
  const positions: number[] = resumed === undefined ? [] : Array.from(resumed.positions);
  const skipped: Array<{ key: string; reason: string }> = resumed === undefined ? [] : [...resumed.skipped];
  const chunks: FeatureChunkRecord[] = [...manifest.chunks];
  let extractedThisRun = 0;

  for (let start = manifest.chunks.at(-1)?.end ?? 0; start < total; start += chunkItems) {
    const end = Math.min(total, start + chunkItems);
    const block = FeatureMatrix.allocate(end - start, extractor.dimension);
    const chunkRows: Float32Array[] = [];
    const chunkLabels: number[] = [];
    const chunkKeys: string[] = [];
    const chunkPositions: number[] = [];
    const chunkSkipped: Array<{ key: string; reason: string }> = [];
    const onDataEvent = (event: DataEvent) => {
      if (event.status !== 'skipped') return;
      const { key } = untagKey(event.key);
      chunkSkipped.push({ key, reason: event.reason });
      onEvent?.({ status: 'skipped', extractor: extractor.name, key, reason: event.reason });
    };
    for await (const batch of selectionBatches(images, start, end, { batchSize, onDataEvent, signal })) {
      if (signal?.aborted === true) throw new ProbeError('Feature extraction was aborted', { cause: signal.reason });
      checkBatchShape(batch, extractor.inputShape, images);
      const output = tf.tidy(() => extractor.extract(tf.tensor4d(batch.images, [...batch.shape])));
      let values: Float32Array;
      try {
        values = (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
      for (let image = 0; image < batch.shape[0]; image++) {
        const row = block.row(chunkRows.length);
        row.set(values.subarray(image * extractor.dimension, (image + 1) * extractor.dimension));
        chunkRows.push(row);
        const { position, key } = untagKey(batch.keys[image]!);
        chunkLabels.push(batch.labels[image]!);
        chunkKeys.push(key);
        chunkPositions.push(position);
      }
      extractedThisRun += batch.shape[0];
      const seconds = (performance.now() - started) / 1000;
      onEvent?.({
        status: 'extract-progress',
        extractor: extractor.name,
        items: start + chunkRows.length + chunkSkipped.length,
        total,
        imagesPerSecond: seconds > 0 ? extractedThisRun / seconds : 0,
      });
    }
    if (directory !== undefined) {
      const record = await writeFeatureChunk(
        directory,
        chunks.length,
        storage,
        chunkRows,
        { labels: chunkLabels, keys: chunkKeys, positions: chunkPositions, skipped: chunkSkipped },
        start,
        end,
      );
      chunks.push(record);
      // Hand back what the store holds, so this run and a later one that reads the store see the same features.
      if (storage === 'float16') for (const row of chunkRows) roundThroughFloat16(row);
      manifest = { ...manifest, chunks: [...chunks], complete: end === total };
      await writeFeatureStoreManifest(directory, manifest);
      onEvent?.({
        status: 'chunk-written',
        extractor: extractor.name,
        chunk: chunks.length - 1,
        rows: chunkRows.length,
        path: `${directory}/${record.file}`,
      });
    }
    rows.push(...chunkRows);
    labels.push(...chunkLabels);
    keys.push(...chunkKeys);
    positions.push(...chunkPositions);
    skipped.push(...chunkSkipped);
  }
  if (rows.length === 0)
    throw new ProbeError(`No decodable image in ${images.source.description} (${skipped.length} skipped)`);
  onEvent?.({
    status: 'extract-done',
    extractor: extractor.name,
    rows: rows.length,
    skipped: skipped.length,
    seconds: (performance.now() - started) / 1000,
  });
  return {
    features: FeatureMatrix.fromRows(rows, extractor.dimension),
    labels: Int32Array.from(labels),
    keys,
    positions: Int32Array.from(positions),
    skipped,
  };
}
