import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { createSeededRandom, mixSeed } from '@dcgan/common';
import { writeFileAtomic } from '@dcgan/common/node';

import { orderedMap } from '../batch/ordered-map';
import { DataError } from '../errors/data-error';
import type { ChannelCount, RawImage } from '../image/raw-image';
import { BinaryFile } from '../io/binary-file';
import { defineSource, type LabelledImageSource } from '../source/define-source';
import { SkipLog, type DataEventListener, type SkippedItem } from '../source/events';
import type { ImageSource, SourceItem } from '../source/image-source';
import { applyTransform } from '../transform/apply-transform';
import type { ImageTransform } from '../transform/transform-step';
import { isWholeDataset, shardItemPosition, shardSource, type Shard } from '../shard/shard-assignment';
import { writeShardManifest } from '../shard/shard-manifest';

/** Options of {@link createShardCache}. */
export interface ShardCacheOptions {
  /** Transform applied once, at caching time; it must give every image the same shape (e.g. `resizeThenCenterCrop(64)`). */
  readonly transform: ImageTransform;
  /** Images per shard file. @default 4096 */
  readonly shardSize?: number;
  /** Images decoded ahead. @default 8 * availableParallelism() */
  readonly prefetch?: number;
  /** Fail on the first undecodable item instead of skipping it. @default false */
  readonly strict?: boolean;
  readonly onEvent?: DataEventListener;
  /**
   * Cache only this shard of the source (item `p` when `p mod count === index`; see `resolveShard`). The cache
   * also records each image's source position and a `shard.json`; `mergeShardCaches` joins the shards into the
   * cache one call over the whole source writes. Random transforms are seeded by source position, as in a whole run.
   * @default the whole source
   */
  readonly shard?: Shard;
  /** Stops caching after the current shard is written; a later call resumes. */
  readonly signal?: AbortSignal;
}

export interface ShardRecord {
  readonly file: string;
  readonly count: number;
}

export interface CacheState {
  readonly format: 'dcgan-shard-cache';
  readonly version: 1;
  readonly fingerprint: string;
  readonly source: string;
  readonly width: number;
  readonly height: number;
  readonly channels: ChannelCount;
  readonly shardSize: number;
  readonly classNames: readonly string[] | null;
  /** Source items consumed so far (written + skipped). */
  readonly consumed: number;
  readonly shards: readonly ShardRecord[];
  readonly skippedCount: number;
  readonly skipped: readonly SkippedItem[];
  readonly complete: boolean;
}

/** A source read back from a shard cache; also says what was skipped while building it. */
export interface ShardCacheSource extends LabelledImageSource {
  readonly directory: string;
  readonly skippedCount: number;
  readonly skipped: readonly SkippedItem[];
}

const manifestName = 'manifest.json';
const progressName = 'progress.json';
const positionsName = 'positions.json';

/** The stage name in the `shard.json` of a cache shard. */
export const shardCacheStage = 'shard-cache';

/** Source positions of a sharded cache's images and skipped items (in the order they were cached). */
export async function readPositions(directory: string): Promise<{ images: number[]; skipped: number[] }> {
  const path = join(directory, positionsName);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as { images: number[]; skipped: number[] };
  } catch (error) {
    throw new DataError(`${path}: cannot read the positions of a cache shard: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
}

function fingerprintOf(source: ImageSource, transform: ImageTransform, shardSize: number): string {
  const identity = JSON.stringify({ source: source.description, length: source.length ?? null, transform, shardSize });
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

export async function readState(path: string): Promise<CacheState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as CacheState;
    if (state.format !== 'dcgan-shard-cache' || state.version !== 1) throw new Error('unknown format');
    return state;
  } catch (error) {
    throw new DataError(`${path}: not a readable shard-cache state file: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
}

export async function writeState(path: string, state: CacheState): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(state, null, 1)}\n`));
}

/**
 * Decodes and transforms a source once into fixed-size uint8 shards on disk, so that later epochs skip decoding and
 * stream-only sources become random-access. Resumable: finished shards are recorded after each write, so a crash or
 * abort loses at most the shard in progress and a second call continues; a complete cache with the same source and
 * transform is reused as is.
 *
 * @example
 * const cached = await createShardCache(await openLmdbImages('bedroom_train_lmdb'), 'cache/bedrooms-64', { transform: resizeThenCenterCrop(64) });
 * for await (const batch of createBatches(cached, { batchSize: 128, epoch })) train(batch);
 */
export async function createShardCache(
  whole: ImageSource,
  directory: string,
  options: ShardCacheOptions,
): Promise<ShardCacheSource> {
  const { transform, shardSize = 4096, strict = false, onEvent, signal } = options;
  const shard = options.shard !== undefined && !isWholeDataset(options.shard) ? options.shard : undefined;
  const source = shard === undefined ? whole : shardSource(whole, shard);
  // Source positions of the images of a sharded cache (`positions.json`), for mergeShardCaches.
  const positions: { images: number[]; skipped: number[] } = { images: [], skipped: [] };
  const sourcePosition = (local: number): number => (shard === undefined ? local : shardItemPosition(local, shard));
  const prefetch = options.prefetch ?? 8 * availableParallelism();
  if (!Number.isInteger(shardSize) || shardSize < 1)
    throw new DataError(`Expected \`shardSize\` to be a positive integer, got \`${shardSize}\``);
  if (!Number.isInteger(prefetch) || prefetch < 1)
    throw new DataError(`Expected \`prefetch\` to be a positive integer, got \`${prefetch}\``);
  await mkdir(directory, { recursive: true });
  const fingerprint = fingerprintOf(source, transform, shardSize);
  const manifest = await readState(join(directory, manifestName));
  if (manifest?.complete === true && manifest.fingerprint === fingerprint) return openShardCache(directory);
  const shardSettings = {
    fingerprint: fingerprintOf(whole, transform, shardSize),
    source: whole.description,
    classNames: whole.classNames ?? null,
    shardSize,
  };
  if (shard !== undefined)
    await writeShardManifest(directory, {
      stage: shardCacheStage,
      shard,
      items: 0,
      complete: false,
      settings: shardSettings,
    });

  const previous = await readState(join(directory, progressName));
  const resumed = previous?.fingerprint === fingerprint ? previous : undefined;
  if (shard !== undefined && resumed !== undefined) {
    // positions.json is written before progress.json: keep only what the recorded shards and skips cover.
    const recorded = await readPositions(directory);
    positions.images = recorded.images.slice(
      0,
      resumed.shards.reduce((sum, record) => sum + record.count, 0),
    );
    positions.skipped = recorded.skipped.slice(0, resumed.skippedCount);
  }
  const shards: ShardRecord[] = [...(resumed?.shards ?? [])];
  const skips = new SkipLog();
  for (const entry of resumed?.skipped ?? []) skips.add(entry.key, entry.reason);
  skips.count = resumed?.skippedCount ?? 0;
  let consumed = resumed?.consumed ?? 0;
  let shape: { width: number; height: number; channels: ChannelCount } | undefined =
    resumed === undefined ? undefined : { width: resumed.width, height: resumed.height, channels: resumed.channels };

  let pixels: Uint8Array | undefined;
  let labels = new Int32Array(shardSize);
  let filled = 0;
  let written = shards.reduce((sum, shard) => sum + shard.count, 0);

  const state = (complete: boolean): CacheState => ({
    format: 'dcgan-shard-cache',
    version: 1,
    fingerprint,
    source: source.description,
    width: shape?.width ?? 0,
    height: shape?.height ?? 0,
    channels: shape?.channels ?? 1,
    shardSize,
    classNames: source.classNames ?? null,
    consumed,
    shards,
    skippedCount: skips.count,
    skipped: skips.skipped,
    complete,
  });

  const flush = async (): Promise<void> => {
    if (filled === 0 || pixels === undefined || shape === undefined) return;
    const name = `shard-${String(shards.length).padStart(5, '0')}`;
    const imageBytes = shape.width * shape.height * shape.channels;
    await writeFileAtomic(join(directory, `${name}.u8`), pixels.subarray(0, filled * imageBytes));
    const labelBytes = new Uint8Array(filled * 4);
    const view = new DataView(labelBytes.buffer);
    for (let index = 0; index < filled; index += 1) view.setInt32(index * 4, labels[index]!, true);
    await writeFileAtomic(join(directory, `${name}.labels`), labelBytes);
    shards.push({ file: name, count: filled });
    written += filled;
    filled = 0;
    labels = new Int32Array(shardSize);
    if (shard !== undefined)
      await writeFileAtomic(join(directory, positionsName), new TextEncoder().encode(JSON.stringify(positions)));
    await writeState(join(directory, progressName), state(false));
    onEvent?.({ status: 'cache-progress', written, total: source.length });
  };

  const start = consumed;
  const items: AsyncIterable<SourceItem> = source.randomAccess
    ? (async function* () {
        for (let index = start; index < source.length!; index += 1) yield await source.readItem(index);
      })()
    : (async function* () {
        let position = 0;
        for await (const item of source.items()) {
          if (position >= start) yield item;
          position += 1;
        }
      })();
  let position = start;
  const decode = async (item: SourceItem): Promise<RawImage> =>
    applyTransform(item.payload, transform, {
      random: createSeededRandom(mixSeed(sourcePosition(position++), 0xcac4e)),
    });

  for await (const result of orderedMap(items, decode, prefetch)) {
    const at = sourcePosition(consumed);
    consumed += 1;
    if (!result.ok) {
      const reason = (result.error as Error).message;
      if (strict)
        throw new DataError(`${result.input.key}: ${reason} (strict mode)`, {
          cause: result.error,
          file: result.input.key,
        });
      skips.add(result.input.key, reason);
      positions.skipped.push(at);
      onEvent?.({ status: 'skipped', epoch: 0, key: result.input.key, reason });
      continue;
    }
    const image = result.value;
    shape ??= { width: image.width, height: image.height, channels: image.channels };
    if (image.width !== shape.width || image.height !== shape.height || image.channels !== shape.channels) {
      const reason = `came out ${image.height}x${image.width}x${image.channels} where the cache holds ${shape.height}x${shape.width}x${shape.channels}; use a transform with a fixed output size`;
      if (strict) throw new DataError(`${result.input.key}: ${reason} (strict mode)`, { file: result.input.key });
      skips.add(result.input.key, reason);
      positions.skipped.push(at);
      onEvent?.({ status: 'skipped', epoch: 0, key: result.input.key, reason });
      continue;
    }
    positions.images.push(at);
    const imageBytes = image.data.length;
    pixels ??= new Uint8Array(shardSize * imageBytes);
    pixels.set(image.data, filled * imageBytes);
    labels[filled] = result.input.label ?? -1;
    filled += 1;
    if (filled === shardSize) {
      await flush();
      if (signal?.aborted === true)
        throw Object.assign(new DataError('shard caching aborted; call again to resume', { cause: signal.reason }), {
          name: 'AbortError',
        });
    }
  }
  await flush();
  if (shape === undefined)
    throw new DataError(`${source.description}: no item could be decoded, nothing to cache (${skips.count} skipped)`);
  await writeState(join(directory, manifestName), state(true));
  await rm(join(directory, progressName), { force: true });
  if (shard !== undefined)
    await writeShardManifest(directory, {
      stage: shardCacheStage,
      shard,
      items: consumed,
      complete: true,
      settings: shardSettings,
    });
  onEvent?.({ status: 'cache-done', directory, written, skippedCount: skips.count });
  return openShardCache(directory);
}

/**
 * Opens a complete shard cache written by {@link createShardCache} as a random-access source of raw images.
 * Every shard file's size is checked against the manifest, so a damaged cache fails here, naming the file.
 *
 * @example
 * const cached = await openShardCache('cache/bedrooms-64');
 */
export async function openShardCache(directory: string): Promise<ShardCacheSource> {
  const manifestPath = join(directory, manifestName);
  const manifest = await readState(manifestPath);
  if (manifest === undefined)
    throw new DataError(`${manifestPath}: missing: not a shard cache, or its creation has not finished`, {
      file: manifestPath,
    });
  if (!manifest.complete)
    throw new DataError(`${manifestPath}: the cache is incomplete; run createShardCache again to finish it`, {
      file: manifestPath,
    });
  const { width, height, channels, shards } = manifest;
  const imageBytes = width * height * channels;
  const starts: number[] = [];
  let total = 0;
  const labels: Int32Array[] = [];
  for (const shard of shards) {
    const pixelsPath = join(directory, `${shard.file}.u8`);
    const labelsPath = join(directory, `${shard.file}.labels`);
    const size = await stat(pixelsPath).then(
      (stats) => stats.size,
      (error: unknown) => {
        throw new DataError(`${pixelsPath}: shard missing: ${(error as Error).message}`, {
          cause: error,
          file: pixelsPath,
        });
      },
    );
    if (size !== shard.count * imageBytes) {
      throw new DataError(
        `${pixelsPath}: holds ${size} bytes, the manifest promises ${shard.count} images of ${imageBytes} bytes (${shard.count * imageBytes})`,
        {
          file: pixelsPath,
        },
      );
    }
    const labelBytes = await readFile(labelsPath).catch((error: unknown) => {
      throw new DataError(`${labelsPath}: labels missing: ${(error as Error).message}`, {
        cause: error,
        file: labelsPath,
      });
    });
    if (labelBytes.length !== shard.count * 4)
      throw new DataError(`${labelsPath}: holds ${labelBytes.length} bytes, expected ${shard.count * 4}`, {
        file: labelsPath,
      });
    labels.push(Int32Array.from({ length: shard.count }, (_, index) => labelBytes.readInt32LE(index * 4)));
    starts.push(total);
    total += shard.count;
  }
  const allLabels = new Int32Array(total);
  labels.forEach((part, index) => allLabels.set(part, starts[index]!));

  const handles = new Map<number, Promise<BinaryFile>>();
  const handleFor = (shard: number): Promise<BinaryFile> => {
    let handle = handles.get(shard);
    if (handle === undefined) {
      handle = BinaryFile.open(join(directory, `${shards[shard]!.file}.u8`));
      handles.set(shard, handle);
      if (handles.size > 32) {
        const [oldest, oldHandle] = handles.entries().next().value as [number, Promise<BinaryFile>];
        handles.delete(oldest);
        // Close once reads queued on it have had their turn.
        void oldHandle.then((file) => setTimeout(() => void file.close(), 1000).unref());
      }
    }
    return handle;
  };
  const source = defineSource({
    description: `shard cache (${directory}) of ${manifest.source}`,
    length: total,
    classNames: manifest.classNames ?? undefined,
    readItem: async (index) => {
      const shard = Math.floor(index / manifest.shardSize);
      const offset = index - starts[shard]!;
      const file = await handleFor(shard);
      const data = await file.read(offset * imageBytes, imageBytes, `image ${offset}`);
      const label = allLabels[index]!;
      return {
        key: `${directory}#${index}`,
        label: label === -1 ? undefined : label,
        payload: { width, height, channels, data },
      };
    },
    readLabels: async () => allLabels.slice(),
    close: async () => {
      await Promise.all([...handles.values()].map(async (handle) => (await handle).close()));
      handles.clear();
    },
  });
  return Object.assign(source, {
    directory,
    skippedCount: manifest.skippedCount,
    skipped: manifest.skipped,
  }) as ShardCacheSource;
}
