import { promises as fs } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';

import { encodePng, type RawImage } from '@dcgan/data';

import { TrainError } from '../errors/train-error';
import { fileVersionEvent, sessionStartEvent, summaryEvent, type SummaryValue } from './event-messages';
import { frameRecord } from './tfrecord';

/** Options of {@link createEventFileWriter}. */
export interface EventFileWriterOptions {
  /**
   * Clock for each event's `wall_time` and for the file name, in milliseconds since 1970 (tests pass a fixed one).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Host name in the file name.
   * @default os.hostname()
   */
  readonly hostname?: string;
}

/** Size and channel count of an encoded image given to {@link EventFileWriter.addImage}. */
export interface EventImageSize {
  readonly width: number;
  readonly height: number;
  /**
   * 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA (TensorBoard's `colorspace`).
   * @default 3
   */
  readonly channels?: 1 | 2 | 3 | 4;
}

/**
 * Appends TensorBoard events to one `events.out.tfevents.*` file. Every call writes its records with one
 * `write` as soon as it runs (calls are queued, in order, even when not awaited), so a killed process loses
 * nothing it was given and leaves at most a torn last record, which TensorBoard's readers skip; {@link flush}
 * also forces the file to disk (fsync), e.g. when a checkpoint is saved.
 */
export interface EventFileWriter {
  /** The event file. */
  readonly path: string;
  /**
   * One event at `step` holding a scalar (`simple_value`, stored as float32) per entry of `values`.
   *
   * @example
   * await writer.addScalars(120, { 'loss/discriminator': 0.71, 'loss/generator': 2.3 });
   */
  addScalars(step: number, values: Readonly<Record<string, number>>): Promise<void>;
  /**
   * One image event at `step`: encoded image bytes (PNG, or JPEG) with their size, shown under TensorBoard's
   * Images tab.
   *
   * @example
   * await writer.addImage('samples', 500, pngBytes, { width: 530, height: 530 });
   */
  addImage(tag: string, step: number, encoded: Uint8Array, size: EventImageSize): Promise<void>;
  /**
   * Encodes a raw image (for instance `trainer.sample()`'s grid) as PNG, adds it like {@link addImage}, and
   * returns the PNG bytes, so that the same bytes can be written to the run folder without encoding twice.
   */
  addRawImage(tag: string, step: number, image: RawImage): Promise<Uint8Array>;
  /**
   * Marks a restart at `step` (a `SessionLog` START event): TensorBoard's event accumulator then drops the points
   * of earlier files at `step` and after, so a run resumed from an older checkpoint shows one curve. Write it
   * first when a writer is created for a resumed run.
   */
  addRestart(step: number): Promise<void>;
  /** Waits for every queued write and forces the file to disk. */
  flush(): Promise<void>;
  /** Flushes and closes the file; later calls fail. Closing twice is harmless. */
  close(): Promise<void>;
}

/** The prefix of every event file name; TensorBoard finds files whose name contains `tfevents`. */
export const eventFilePrefix = 'events.out.tfevents.';

function assertStep(step: number, path: string): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new TrainError(`${path}: Expected \`step\` to be a non-negative integer, got \`${step}\``, { file: path });
  }
}

function assertTag(tag: string, path: string): void {
  if (typeof tag !== 'string' || tag.length === 0)
    throw new TrainError(`${path}: Expected a non-empty tag, got \`${String(tag)}\``, { file: path });
}

function positiveInteger(value: number, name: string, path: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new TrainError(`${path}: Expected \`${name}\` to be a positive 32-bit integer, got \`${value}\``, {
      file: path,
    });
  }
  return value;
}

async function openNewEventFile(
  logDirectory: string,
  seconds: number,
  host: string,
): Promise<{ path: string; handle: fs.FileHandle }> {
  const base = join(logDirectory, `${eventFilePrefix}${String(seconds).padStart(10, '0')}.${host}`);
  // Two writers started in the same second on one host (a quick resume) must not share a file.
  for (let attempt = 0; ; attempt += 1) {
    const path = attempt === 0 ? base : `${base}.${attempt}`;
    try {
      return { path, handle: await fs.open(path, 'wx') };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST' || attempt >= 1000) throw error;
    }
  }
}

/**
 * Creates `logDirectory` if needed and a new event file in it (`events.out.tfevents.<seconds>.<hostname>`), opened
 * with its `file_version` record (`brain.Event:2`). Plain Node: works with every tfjs backend (tfjs-node's
 * `summaryFileWriter` exists only on the native ones). Point `tensorboard --logdir` at the folder.
 *
 * @example
 * const events = await createEventFileWriter('runs/mnist/tensorboard');
 * await events.addScalars(result.step, { 'loss/discriminator': result.discriminatorLoss });
 * await events.close();
 */
export async function createEventFileWriter(
  logDirectory: string,
  options: EventFileWriterOptions = {},
): Promise<EventFileWriter> {
  const now = options.now ?? Date.now;
  const host = (options.hostname ?? osHostname()).replace(/[/\\]/g, '_') || 'localhost';
  const wallTime = () => now() / 1000;
  let opened: { path: string; handle: fs.FileHandle };
  try {
    await fs.mkdir(logDirectory, { recursive: true });
    opened = await openNewEventFile(logDirectory, Math.floor(wallTime()), host);
  } catch (error) {
    throw new TrainError(`${logDirectory}: cannot create a TensorBoard event file: ${(error as Error).message}`, {
      cause: error,
      file: logDirectory,
    });
  }
  const { path, handle } = opened;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined); // a failed write fails its own call, not the ones after it
    return result;
  };
  const append = (payloads: readonly Uint8Array[]): Promise<void> => {
    if (closed) return Promise.reject(new TrainError(`${path}: the event file writer is closed`, { file: path }));
    const records = payloads.map(frameRecord);
    const bytes = records.length === 1 ? records[0]! : Buffer.concat(records);
    return enqueue(async () => {
      try {
        await handle.write(bytes);
      } catch (error) {
        throw new TrainError(`${path}: cannot append to the event file: ${(error as Error).message}`, {
          cause: error,
          file: path,
        });
      }
    });
  };

  const sync = async (): Promise<void> => {
    try {
      await handle.sync();
    } catch (error) {
      throw new TrainError(`${path}: cannot flush the event file: ${(error as Error).message}`, {
        cause: error,
        file: path,
      });
    }
  };

  const writer: EventFileWriter = {
    path,
    addScalars(step, values) {
      try {
        assertStep(step, path);
        const entries = Object.entries(values);
        for (const [tag, value] of entries) {
          assertTag(tag, path);
          if (typeof value !== 'number')
            throw new TrainError(`${path}: Expected scalar \`${tag}\` to be a number, got \`${String(value)}\``, {
              file: path,
            });
        }
        if (entries.length === 0) return Promise.resolve();
        return append([
          summaryEvent(
            wallTime(),
            step,
            entries.map(([tag, scalar]) => ({ tag, scalar })),
          ),
        ]);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    addImage(tag, step, encoded, size) {
      try {
        assertTag(tag, path);
        assertStep(step, path);
        if (!(encoded instanceof Uint8Array) || encoded.length === 0)
          throw new TrainError(`${path}: Expected the encoded image \`${tag}\` to be non-empty bytes`, { file: path });
        const channels = size.channels ?? 3;
        if (![1, 2, 3, 4].includes(channels))
          throw new TrainError(`${path}: Expected \`channels\` to be 1, 2, 3 or 4, got \`${channels}\``, {
            file: path,
          });
        const image = {
          encoded,
          width: positiveInteger(size.width, 'width', path),
          height: positiveInteger(size.height, 'height', path),
          colorspace: channels,
        };
        const value: SummaryValue = { tag, image };
        return append([summaryEvent(wallTime(), step, [value])]);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async addRawImage(tag, step, image) {
      const png = await encodePng(image);
      await writer.addImage(tag, step, png, image);
      return png;
    },
    addRestart(step) {
      try {
        assertStep(step, path);
        return append([sessionStartEvent(wallTime(), step)]);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    flush() {
      return closed ? queue.then(() => undefined) : enqueue(sync);
    },
    async close() {
      if (closed) return queue.then(() => undefined);
      closed = true; // calls made from now on fail rather than write to a closing handle
      try {
        await enqueue(sync);
      } finally {
        await enqueue(() => handle.close());
      }
    },
  };

  try {
    await handle.write(frameRecord(fileVersionEvent(wallTime())));
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw new TrainError(`${path}: cannot write the event file header: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  return writer;
}
