import { availableParallelism } from 'node:os';

import { createPermutation, createSeededRandom, mixSeed } from '@dcgan/common';

import { DataError } from '../errors/data-error';
import type { RawImage } from '../image/raw-image';
import { SkipLog, type DataEventListener, type EpochReport } from '../source/events';
import type { ImageSource, SourceItem } from '../source/image-source';
import { applyTransform } from '../transform/apply-transform';
import type { ImageTransform } from '../transform/transform-step';
import type { Batch } from './batch';
import { orderedMap } from './ordered-map';

/** Options of {@link createBatches}. */
export interface BatchOptions {
  /** Images per batch. */
  readonly batchSize: number;
  /**
   * Decode-time transform, e.g. `resizeThenCenterCrop(64)` or `[pad(32), toRgb()]`. All images of an epoch must
   * come out with the same shape; one that does not is skipped and reported.
   * @default [] (images as stored)
   */
  readonly transform?: ImageTransform;
  /**
   * Visit items in a seeded random order, a fresh one each epoch. Random-access sources are permuted by index
   * (4 bytes per item, no image is held); stream-only sources go through a shuffle buffer.
   * @default true
   */
  readonly shuffle?: boolean;
  /** @default 0 */
  readonly seed?: number;
  /** Epoch number; with `seed` it fixes the order and the flips, so epoch 5 is the same whether or not 0-4 ran. @default 0 */
  readonly epoch?: number;
  /** Drop a last batch smaller than `batchSize` (the trainer wants fixed-size batches). @default true */
  readonly dropRemainder?: boolean;
  /**
   * Images decoded ahead of the consumer. JPEGs decode on the fast path's worker threads (see
   * `configureJpegDecoding`), other images through sharp on libuv's thread pool (set `UV_THREADPOOL_SIZE` before
   * start-up to use more threads than its default 4).
   * @default max(2 * batchSize, 8 * availableParallelism())
   */
  readonly prefetch?: number;
  /** Items held by the shuffle buffer of a stream-only source. @default 4096 */
  readonly shuffleBufferSize?: number;
  /** Throw a `DataError` on the first undecodable item instead of skipping it. @default false */
  readonly strict?: boolean;
  /** Receives `skipped` and `epoch-end` events. */
  readonly onEvent?: DataEventListener;
  /** Stops the stream (the loop ends with an `AbortError`-named `DataError`). */
  readonly signal?: AbortSignal;
  /**
   * Resume an epoch part-way: start at this position of the epoch's order, without decoding what comes before. Pass
   * the `endPosition` of the last batch you finished (saved with your checkpoint) to continue exactly where you left.
   * @default 0
   */
  readonly startPosition?: number;
  /** Finished batches held ready ahead of the consumer (built while it awaits anything). @default 2 */
  readonly prefetchBatches?: number;
}

/** An epoch of batches; `report` is filled in when the epoch ends. */
export interface BatchStream extends AsyncIterable<Batch> {
  readonly report: EpochReport | undefined;
  /** Number of full batches the epoch will give if nothing is skipped (undefined for unknown-length sources). */
  readonly expectedBatches: number | undefined;
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new DataError(`Expected \`${name}\` to be a positive integer, got \`${value}\``);
}

function describeShape(image: RawImage): string {
  return `${image.height}x${image.width}x${image.channels}`;
}

async function* shuffleBuffer<T>(items: AsyncIterable<T>, size: number, random: () => number): AsyncGenerator<T> {
  const buffer: T[] = [];
  for await (const item of items) {
    if (buffer.length < size) {
      buffer.push(item);
      continue;
    }
    const position = Math.floor(random() * size);
    yield buffer[position]!;
    buffer[position] = item;
  }
  while (buffer.length > 0) {
    const position = Math.floor(random() * buffer.length);
    const last = buffer.pop()!;
    if (position < buffer.length) {
      yield buffer[position]!;
      buffer[position] = last;
    } else {
      yield last;
    }
  }
}

/**
 * One epoch of fixed-size, seeded, shuffled batches from any source, with parallel decode and prefetch.
 * Undecodable items are skipped and listed in the epoch report (`strict` makes them an error).
 *
 * @example
 * const source = await openMnistPackage();
 * for (let epoch = 0; epoch < 5; epoch += 1) {
 *   for await (const batch of createBatches(source, { batchSize: 64, epoch, transform: [pad(32), toRgb()] })) {
 *     const x = batchToTensor(tf, batch); // [64, 32, 32, 3] in [-1, 1]
 *   }
 * }
 */
export function createBatches(source: ImageSource, options: BatchOptions): BatchStream {
  const {
    batchSize,
    transform = [],
    shuffle = true,
    seed = 0,
    epoch = 0,
    dropRemainder = true,
    strict = false,
    onEvent,
    signal,
    startPosition = 0,
  } = options;
  assertPositiveInteger('batchSize', batchSize);
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new DataError(`Expected \`epoch\` to be a non-negative integer, got \`${epoch}\``);
  if (!Number.isFinite(seed)) throw new DataError(`Expected \`seed\` to be a finite number, got \`${seed}\``);
  if (!Number.isInteger(startPosition) || startPosition < 0)
    throw new DataError(`Expected \`startPosition\` to be a non-negative integer, got \`${startPosition}\``);
  const prefetch = options.prefetch ?? Math.max(2 * batchSize, 8 * availableParallelism());
  assertPositiveInteger('prefetch', prefetch);
  const prefetchBatches = options.prefetchBatches ?? 2;
  assertPositiveInteger('prefetchBatches', prefetchBatches);
  const shuffleBufferSize = options.shuffleBufferSize ?? 4096;
  assertPositiveInteger('shuffleBufferSize', shuffleBufferSize);
  const flips = transform.some((step) => step.kind === 'horizontal-flip');

  let report: EpochReport | undefined;
  const length = source.length;

  async function* generate(): AsyncGenerator<Batch> {
    const started = performance.now();
    const skips = new SkipLog();
    let itemsRead = 0;
    let imagesDelivered = 0;
    let batchIndex = 0;
    const epochSeed = mixSeed(seed, epoch);

    type Task = {
      readonly position: number;
      readonly index: number | undefined;
      readonly item: SourceItem | undefined;
    };
    let tasks: Iterable<Task> | AsyncIterable<Task>;
    if (source.randomAccess && length !== undefined) {
      const order = shuffle ? createPermutation(length, createSeededRandom(epochSeed)) : undefined;
      tasks = (function* () {
        for (let position = startPosition; position < length; position += 1)
          yield { position, index: order === undefined ? position : order[position]!, item: undefined };
      })();
    } else {
      const items = shuffle
        ? shuffleBuffer(source.items(), shuffleBufferSize, createSeededRandom(epochSeed))
        : source.items();
      tasks = (async function* () {
        let position = 0;
        for await (const item of items) {
          if (position >= startPosition) yield { position, index: undefined, item };
          position += 1;
        }
      })();
    }

    const work = async (task: Task): Promise<{ item: SourceItem; image: RawImage }> => {
      const item = task.item ?? (await source.readItem(task.index!));
      const context = flips
        ? { random: createSeededRandom(mixSeed(epochSeed, task.index ?? task.position, 0x5f11)) }
        : undefined;
      try {
        return { item, image: await applyTransform(item.payload, transform, context) };
      } catch (error) {
        // Carry the key so the skip report names the file.
        throw Object.assign(
          new DataError(`${item.key}: ${(error as Error).message}`, { cause: error, file: item.key }),
          { itemKey: item.key },
        );
      }
    };

    type Entry = { item: SourceItem; image: RawImage; position: number };
    let expected: RawImage | undefined;
    let pending: Entry[] = [];
    const skip = (key: string, reason: string, error?: unknown): void => {
      if (strict) throw new DataError(`${key}: ${reason} (strict mode)`, { cause: error, file: key });
      skips.add(key, reason);
      onEvent?.({ status: 'skipped', epoch, key, reason });
    };

    const emit = (entries: Entry[]): Batch => {
      const first = entries[0]!.image;
      const imageSize = first.width * first.height * first.channels;
      const pixels = new Uint8Array(entries.length * imageSize);

      const labels = new Int32Array(entries.length);
      const keys: string[] = [];
      entries.forEach((entry, position) => {
        pixels.set(entry.image.data, position * imageSize);
        labels[position] = entry.item.label ?? -1;
        keys.push(entry.item.key);
      });
      // Copy bytes to floats natively, then scale in place (faster than a per-element typed-array to typed-array loop).
      const images = new Float32Array(pixels);
      for (let offset = 0; offset < images.length; offset += 1) images[offset] = images[offset]! / 127.5 - 1;
      imagesDelivered += entries.length;
      const batch: Batch = {
        index: batchIndex,
        epoch,
        shape: [entries.length, first.height, first.width, first.channels],
        images,
        pixels,
        labels,
        keys,
        endPosition: entries[entries.length - 1]!.position + 1,
      };
      batchIndex += 1;
      return batch;
    };

    // A producer that runs whenever the event loop is free (for instance while the trainer awaits a file write),
    // keeping up to `prefetchBatches` finished batches ready; the generator hands them out in order.
    const ready: Batch[] = [];
    let finished = false;
    let stopped = false;
    let failure: { error: unknown } | undefined;
    let wakeConsumer: (() => void) | undefined;
    let wakeProducer: (() => void) | undefined;
    const notifyConsumer = (): void => {
      wakeConsumer?.();
      wakeConsumer = undefined;
    };
    const producer = (async () => {
      try {
        for await (const result of orderedMap(tasks, work, prefetch)) {
          if (stopped) return;
          if (signal?.aborted === true)
            throw Object.assign(new DataError('batch stream aborted', { cause: signal.reason }), {
              name: 'AbortError',
            });
          itemsRead += 1;
          if (!result.ok) {
            const error = result.error as Error & { itemKey?: string };
            const key =
              error.itemKey ??
              (result.input.index === undefined ? `item ${result.input.position}` : `item ${result.input.index}`);
            const reason =
              error.itemKey === undefined
                ? error.message
                : ((error.cause as Error | undefined)?.message ?? error.message);
            skip(key, reason, error);
            continue;
          }
          const { image } = result.value;
          expected ??= image;
          if (
            image.width !== expected.width ||
            image.height !== expected.height ||
            image.channels !== expected.channels
          ) {
            skip(
              result.value.item.key,
              `came out ${describeShape(image)} where this epoch's images are ${describeShape(expected)}; add a transform (e.g. resizeThenCenterCrop, toRgb) that fixes the shape`,
            );
            continue;
          }
          pending.push({ ...result.value, position: result.input.position });
          if (pending.length === batchSize) {
            ready.push(emit(pending));
            pending = [];
            notifyConsumer();
            while (ready.length >= prefetchBatches && !stopped)
              await new Promise<void>((resolve) => (wakeProducer = resolve));
          }
        }
        if (stopped) return;
        const imagesDropped = dropRemainder ? pending.length : 0;
        if (!dropRemainder && pending.length > 0) ready.push(emit(pending));
        report = {
          epoch,
          itemsRead,
          imagesDelivered,
          imagesDropped,
          skippedCount: skips.count,
          skipped: skips.skipped,
          seconds: (performance.now() - started) / 1000,
        };
        onEvent?.({ status: 'epoch-end', report });
      } catch (error) {
        failure = { error };
      } finally {
        finished = true;
        notifyConsumer();
      }
    })();

    try {
      for (;;) {
        const batch = ready.shift();
        if (batch !== undefined) {
          wakeProducer?.();
          wakeProducer = undefined;
          yield batch;
          continue;
        }
        if (failure !== undefined) throw failure.error;
        if (finished) return;
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
      }
    } finally {
      stopped = true;
      wakeProducer?.();
      await producer;
    }
  }

  return {
    get report() {
      return report;
    },
    expectedBatches:
      length === undefined
        ? undefined
        : dropRemainder
          ? Math.floor(Math.max(0, length - startPosition) / batchSize)
          : Math.ceil(Math.max(0, length - startPosition) / batchSize),
    [Symbol.asyncIterator]: () => generate(),
  };
}
