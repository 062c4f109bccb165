import {
  defineSource,
  isWholeDataset,
  iterateSamples,
  shardItemPosition,
  shardSource,
  toRgb,
  wholeDataset,
  writeShardManifest,
  type ImageSource,
  type ImageTransform,
  type RawImage,
  type Shard,
} from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import { codeBytesOf } from '../group/binary-code';
import type { CodesToGroup } from '../group/find-duplicate-groups';
import { defaultHasherTransform } from '../hasher/train-semantic-hasher';
import { HashStore, type HashChunk } from './hash-store';
import type { ImageHasher } from './image-hasher';
import { shiftImage, shiftOffsets } from './shift-probes';
import { defaultThumbnailChannels, defaultThumbnailSize, makeThumbnail, type Thumbnails } from '../group/thumbnails';

/** An item that could not be hashed (undecodable, or the wrong shape after the transform), and why. */
export interface SkippedSourceItem {
  /** Position of the item in the source's storage order. */
  readonly index: number;
  readonly key: string;
  readonly reason: string;
}

/** Options of {@link hashSource}. */
export interface HashSourceOptions {
  /**
   * Decode-time transform to the hasher's input.
   * @default for a hasher with an input shape: its center crop + resize + channels; otherwise `[toRgb()]`
   */
  readonly transform?: ImageTransform;
  /**
   * Folder that keeps finished chunks so that an interrupted run resumes where it stopped (losing at most the chunk
   * in progress). Without it everything stays in memory.
   */
  readonly directory?: string;
  /** Clear the folder's chunks instead of resuming from them. @default false */
  readonly restart?: boolean;
  /** Items per chunk (the most a crash can lose). @default 4096 */
  readonly chunkSize?: number;
  /** Images hashed per call to the hasher. @default 256 */
  readonly batchSize?: number;
  /**
   * Also hash copies of each image shifted by up to this many pixels in x and y (zero-filled), so that duplicates
   * that differ by a small translation can be matched (see `findDuplicateGroups`). Costs (2s + 1)^2 - 1 extra codes
   * per image, i.e. 8 for 1 pixel, 24 for 2.
   * @default 0
   */
  readonly shiftProbes?: number;
  /**
   * Side of the small pixel thumbnail kept for each item, with which `findDuplicateGroups` verifies every candidate
   * pair (size * size * channels bytes per item: 1,024 at the defaults; 0 keeps none, and code matches are then not
   * verified). At the hasher input's own resolution a shift probe's whole-pixel shift is a whole thumbnail pixel; a
   * smaller thumbnail turns it into a fraction of a pixel, which verification can only interpolate (16 pixels lost a
   * third of the planted 1-2 pixel shifts on MNIST; packages/dedup/evaluation/EVALUATION.md).
   * @default the hasher input's width (32 for the paper's hasher); 32 for hashers without an input shape
   */
  readonly thumbnailSize?: number;
  /**
   * Channels of the verification thumbnails: 1 (gray, the luma of colour input) or 3 (RGB). Gray verified as well as
   * RGB on the tuning sets, in a third of the memory.
   * @default 1
   */
  readonly thumbnailChannels?: 1 | 3;
  /**
   * Hash only this shard of the source: items at positions `p` with `p mod count === index` (see `resolveShard` of
   * @dcgan/data). Indices stay source positions. With `directory`, a `shard.json` there records the shard and whether
   * it finished, and `mergeHashShards` joins the shards into the store one process would have written.
   * @default the whole source
   */
  readonly shard?: Shard;
  readonly onEvent?: (event: HashEvent) => void;
  /** Stops after the current batch; finished chunks stay on disk. The promise rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
}

/** Progress of {@link hashSource}, tagged by `status`. */
export type HashEvent =
  | {
      readonly status: 'start';
      readonly total: number | undefined;
      readonly resumedFrom: number;
      readonly chunksLoaded: number;
    }
  | {
      readonly status: 'progress';
      readonly itemsRead: number;
      readonly hashed: number;
      readonly skippedCount: number;
      readonly total: number | undefined;
      readonly imagesPerSecond: number;
    }
  | { readonly status: 'skipped'; readonly index: number; readonly key: string; readonly reason: string }
  | { readonly status: 'chunk-written'; readonly chunk: number; readonly itemsRead: number; readonly file: string }
  | {
      readonly status: 'done';
      readonly itemsRead: number;
      readonly hashed: number;
      readonly skippedCount: number;
      readonly seconds: number;
    };

/** The codes of a whole source, ready for `findDuplicateGroups`; position `i` is source item `indices[i]`. */
export interface SourceHashes extends CodesToGroup {
  readonly hasherKind: string;
  readonly fingerprint: string;
  readonly sourceDescription: string;
  /** Items read from the source (hashed + skipped). */
  readonly itemsRead: number;
  /** Source index (storage order) of each hashed item. */
  readonly indices: Int32Array;
  readonly keys: readonly string[];
  readonly skipped: readonly SkippedSourceItem[];
  readonly shiftProbes: number;
  readonly probesPerItem: number;
  /** Each hashed item's verification thumbnail (absent with `thumbnailSize: 0`). */
  readonly thumbnails: Thumbnails | undefined;
  /** Items read by earlier, interrupted runs whose chunks were reused. */
  readonly resumedFrom: number;
}

/**
 * Reasons of items skipped for their shape after the transform start with this. Unlike undecodable items (reported
 * between samples), they are counted where a chunk can close, which `mergeHashShards` needs to place chunk ends.
 */
export const shapeSkipPrefix = 'came out ';

/** The stage name in the `shard.json` of a hash shard. */
export const hashShardStage = 'dedup-hashes';

function describeTransform(transform: ImageTransform): unknown {
  return JSON.parse(JSON.stringify(transform)) as unknown;
}

/**
 * Hashes every item of a source in storage order, streaming (memory holds the codes, not the images). Undecodable
 * items and items of the wrong shape are skipped and listed. With `directory`, finished chunks are kept on disk and
 * a rerun with the same hasher and source resumes after the last finished chunk.
 *
 * @example
 * const hashes = await hashSource(await openMnistPackage(), hasher, { transform: [pad(32), toRgb()], directory: 'runs/mnist/hashes' });
 * const groups = findDuplicateGroups(hashes);
 */
export async function hashSource(
  source: ImageSource,
  hasher: ImageHasher,
  options: HashSourceOptions = {},
): Promise<SourceHashes> {
  const started = performance.now();
  const chunkSize = options.chunkSize ?? 4096;
  const batchSize = options.batchSize ?? 256;
  const shiftProbes = options.shiftProbes ?? 0;
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new DedupError(`Expected \`chunkSize\` to be a positive integer, got \`${chunkSize}\``);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new DedupError(`Expected \`batchSize\` to be a positive integer, got \`${batchSize}\``);
  const shape = hasher.inputShape;
  const thumbnailSize = options.thumbnailSize ?? shape?.width ?? defaultThumbnailSize;
  if (!Number.isInteger(thumbnailSize) || thumbnailSize < 0 || thumbnailSize > 64)
    throw new DedupError(`Expected \`thumbnailSize\` to be an integer in 0..64, got \`${thumbnailSize}\``);
  const offsets = shiftOffsets(shiftProbes);
  const probesPerItem = offsets.length;
  const transform =
    options.transform ??
    (shape === undefined
      ? [toRgb()]
      : defaultHasherTransform({ imageWidth: shape.width, imageHeight: shape.height, channels: shape.channels }));
  const codeBytes = codeBytesOf(hasher.codeBits);
  const thumbnailChannels = options.thumbnailChannels ?? defaultThumbnailChannels;
  if (thumbnailChannels !== 1 && thumbnailChannels !== 3)
    throw new DedupError(`Expected \`thumbnailChannels\` to be 1 or 3, got \`${thumbnailChannels}\``);
  const thumbnailBytes = thumbnailSize * thumbnailSize * thumbnailChannels;
  const fingerprint = await hasher.fingerprint();
  const shard = options.shard ?? wholeDataset;
  const sharded = !isWholeDataset(shard);
  const walked = shardSource(source, shard);

  const store =
    options.directory === undefined
      ? undefined
      : await HashStore.open(
          options.directory,
          {
            format: 'dcgan-dedup-hashes',
            version: 2,
            hasherKind: hasher.kind,
            fingerprint,
            codeBits: hasher.codeBits,
            shiftProbes,
            probesPerItem,
            chunkSize,
            sourceDescription: source.description,
            sourceLength: source.length ?? null,
            transform: describeTransform(transform),
            thumbnailSize,
            thumbnailChannels,
            ...(sharded ? { shard } : {}),
          },
          options.restart ?? false,
        );
  const chunks: HashChunk[] = store === undefined ? [] : await store.readChunks();
  const resumedFrom = chunks.reduce((sum, chunk) => sum + chunk.itemsRead, 0);
  const total = walked.length;
  if (store !== undefined && sharded)
    await writeShardManifest(store.directory, {
      stage: hashShardStage,
      shard,
      items: resumedFrom,
      complete: false,
      settings: { ...store.manifest, shard: undefined },
    });
  options.onEvent?.({ status: 'start', total, resumedFrom, chunksLoaded: chunks.length });

  let itemsRead = resumedFrom;
  let hashed = chunks.reduce((sum, chunk) => sum + chunk.indices.length, 0);
  let skippedCount = chunks.reduce((sum, chunk) => sum + chunk.skipped.length, 0);

  // The current chunk, filled batch by batch.
  let chunkFirst = itemsRead;
  let chunkIndices: number[] = [];
  let chunkKeys: string[] = [];
  let chunkSkipped: SkippedSourceItem[] = [];
  let chunkCodes: Uint8Array[] = [];
  let chunkProbeCodes: Uint8Array[] = [];
  let chunkThumbnails: Uint8Array[] = [];
  // Width of the first image hashed (for the thumbnails' scale when the hasher has no input shape).
  let firstWidth: number | undefined;
  let batch: { index: number; key: string; image: RawImage }[] = [];
  let rateWindowStart = performance.now();
  let rateWindowCount = 0;

  const hashBatch = async (): Promise<void> => {
    if (batch.length === 0) return;
    const images = batch.map((entry) => entry.image);
    chunkCodes.push(await hasher.hashImages(images));
    if (thumbnailSize > 0)
      for (const image of images) chunkThumbnails.push(makeThumbnail(image, thumbnailSize, thumbnailChannels));
    firstWidth ??= images[0]?.width;
    if (probesPerItem > 0) {
      // Item-major: all probes of the first image, then of the second...
      const probes = images.flatMap((image) => offsets.map(([dx, dy]) => shiftImage(image, dx, dy)));
      for (let from = 0; from < probes.length; from += batchSize * 4)
        chunkProbeCodes.push(await hasher.hashImages(probes.slice(from, from + batchSize * 4)));
    }
    for (const entry of batch) {
      chunkIndices.push(entry.index);
      chunkKeys.push(entry.key);
    }
    hashed += batch.length;
    rateWindowCount += batch.length;
    batch = [];
    const now = performance.now();
    options.onEvent?.({
      status: 'progress',
      itemsRead,
      hashed,
      skippedCount,
      total,
      imagesPerSecond: rateWindowCount / Math.max(1e-9, (now - rateWindowStart) / 1000),
    });
    if (now - rateWindowStart > 5000) {
      rateWindowStart = now;
      rateWindowCount = 0;
    }
  };

  const finishChunk = async (): Promise<void> => {
    await hashBatch();
    if (itemsRead === chunkFirst) return;
    const chunk: HashChunk = {
      chunk: chunks.length,
      firstItem: chunkFirst,
      itemsRead: itemsRead - chunkFirst,
      indices: chunkIndices,
      keys: chunkKeys,
      skipped: chunkSkipped,
      codes: concatenate([...chunkCodes, ...chunkProbeCodes, ...chunkThumbnails]),
    };
    if (chunk.codes.length !== chunkIndices.length * (codeBytes * (1 + probesPerItem) + thumbnailBytes)) {
      throw new DedupError(
        `The ${hasher.kind} hasher returned ${chunk.codes.length} bytes of codes for ${chunkIndices.length} images; expected ${codeBytes} bytes per code`,
      );
    }
    chunks.push(chunk);
    if (store !== undefined) {
      const file = await store.writeChunk(chunk);
      options.onEvent?.({ status: 'chunk-written', chunk: chunk.chunk, itemsRead, file });
    }
    chunkFirst = itemsRead;
    chunkIndices = [];
    chunkKeys = [];
    chunkSkipped = [];
    chunkCodes = [];
    chunkProbeCodes = [];
    chunkThumbnails = [];
  };

  // `index` is the position in the shard; indices are kept as source positions.
  const skip = (index: number, key: string, reason: string): void => {
    skippedCount += 1;
    index = shardItemPosition(index, shard);
    chunkSkipped.push({ index, key, reason });
    options.onEvent?.({ status: 'skipped', index, key, reason });
  };

  const rest = remainingItems(walked, resumedFrom);
  let position = resumedFrom;
  const stream = iterateSamples(rest, {
    transform,
    onEvent: (event) => {
      if (event.status !== 'skipped') return;
      // Skips arrive in storage order between samples, so the running position is this item's index.
      skip(position, event.key, event.reason);
      position += 1;
      itemsRead += 1;
    },
  });
  const abortError = () =>
    Object.assign(
      new DedupError(
        `hashing stopped after ${itemsRead} items; finished chunks are kept${store === undefined ? '' : ` in ${store.directory}`}`,
      ),
      { name: 'AbortError' },
    );
  for await (const sample of stream) {
    if (options.signal?.aborted === true) throw abortError();
    const index = position;
    position += 1;
    itemsRead += 1;
    const { image } = sample;
    if (
      shape !== undefined &&
      (image.width !== shape.width || image.height !== shape.height || image.channels !== shape.channels)
    ) {
      skip(
        index,
        sample.key,
        `${shapeSkipPrefix}${image.width}x${image.height}x${image.channels} after the transform; the hasher takes ${shape.width}x${shape.height}x${shape.channels}`,
      );
    } else {
      batch.push({ index: shardItemPosition(index, shard), key: sample.key, image });
      if (batch.length >= batchSize) await hashBatch();
    }
    if (itemsRead - chunkFirst >= chunkSize) await finishChunk();
  }
  if (options.signal?.aborted === true) throw abortError();
  await finishChunk();

  const count = chunks.reduce((sum, chunk) => sum + chunk.indices.length, 0);
  const codes = new Uint8Array(count * codeBytes);
  const probeCodes = new Uint8Array(count * codeBytes * probesPerItem);
  const thumbnailData = new Uint8Array(count * thumbnailBytes);
  const indices = new Int32Array(count);
  const keys: string[] = [];
  const skipped: SkippedSourceItem[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    const size = chunk.indices.length;
    codes.set(chunk.codes.subarray(0, size * codeBytes), offset * codeBytes);
    probeCodes.set(
      chunk.codes.subarray(size * codeBytes, size * codeBytes * (1 + probesPerItem)),
      offset * codeBytes * probesPerItem,
    );
    thumbnailData.set(chunk.codes.subarray(size * codeBytes * (1 + probesPerItem)), offset * thumbnailBytes);
    indices.set(chunk.indices, offset);
    for (const key of chunk.keys) keys.push(key);
    for (const item of chunk.skipped) skipped.push(item);
    offset += size;
  }
  const seconds = (performance.now() - started) / 1000;
  if (store !== undefined && sharded)
    await writeShardManifest(store.directory, {
      stage: hashShardStage,
      shard,
      items: itemsRead,
      complete: true,
      settings: { ...store.manifest, shard: undefined },
    });
  options.onEvent?.({ status: 'done', itemsRead, hashed: count, skippedCount: skipped.length, seconds });
  return {
    codes,
    codeBits: hasher.codeBits,
    count,
    probeCodes: probesPerItem > 0 ? probeCodes : undefined,
    probesPerItem,
    hasherKind: hasher.kind,
    fingerprint,
    sourceDescription: source.description,
    itemsRead,
    indices,
    keys,
    skipped,
    shiftProbes,
    thumbnails:
      thumbnailSize > 0
        ? {
            data: thumbnailData,
            size: thumbnailSize,
            channels: thumbnailChannels,
            scale: thumbnailSize / (shape?.width ?? firstWidth ?? 2 * thumbnailSize),
          }
        : undefined,
    resumedFrom,
  };
}

/** The source from item `start` on: random access where possible, otherwise by skipping undecoded items. */
function remainingItems(source: ImageSource, start: number): ImageSource {
  if (start === 0) return source;
  if (source.randomAccess && source.length !== undefined) {
    const length = source.length;
    return defineSource({
      description: source.description,
      length: Math.max(0, length - start),
      readItem: (index) => source.readItem(start + index),
    });
  }
  return defineSource({
    description: source.description,
    length: source.length === undefined ? undefined : Math.max(0, source.length - start),
    items: async function* () {
      let position = 0;
      for await (const item of source.items()) {
        if (position >= start) yield item;
        position += 1;
      }
    },
  });
}

/** Joins byte arrays end to end. */
export function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
