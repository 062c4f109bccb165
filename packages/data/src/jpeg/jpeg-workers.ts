import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { createFastDecode, type FastDecodeRequest, type FastDecodeResult } from './fast-decode';
import { createJpegDecoder } from './jpeg-decoder';
import { createResampler } from './resample';

/**
 * The workers' code: the same self-contained functions the main thread uses, evaluated from their source text, so
 * one code path serves the built package (ESM and CJS) and the TypeScript sources under test.
 */
function workerSource(): string {
  // Dynamic import rather than require: eval'd worker code runs as an ES module when the process was started with
  // --input-type=module, and as CommonJS otherwise.
  return `'use strict';
const createJpegDecoder = (${createJpegDecoder.toString()});
const createResampler = (${createResampler.toString()});
const createFastDecode = (${createFastDecode.toString()});
const decode = createFastDecode(createJpegDecoder(), createResampler());
import('node:worker_threads').then(({ parentPort }) => parentPort.on('message', (message) => {
  let result;
  try {
    result = decode(message.bytes, message.request);
  } catch (error) {
    result = { ok: false, reason: 'decoder error: ' + (error && error.message) };
  }
  if (result.ok) {
    const data = result.data;
    parentPort.postMessage({ id: message.id, ok: true, width: result.width, height: result.height, channels: result.channels, scale: result.scale, data }, [data.buffer]);
  } else {
    parentPort.postMessage({ id: message.id, ok: false, reason: result.reason });
  }
}));
`;
}

interface Pending {
  readonly resolve: (result: FastDecodeResult) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  alive: boolean;
}

/** Counters of the JPEG fast path, for benchmarks and tests. */
export interface JpegWorkerStats {
  /** Images the workers decoded. */
  readonly decoded: number;
  /** Images they declined (decoded by sharp instead), by reason. */
  readonly declined: Readonly<Record<string, number>>;
}

/**
 * A small pool of worker threads running the DCT-domain JPEG decoder. Workers hold the event loop only while they
 * have work, so an idle pool never keeps a process alive. A worker that dies fails its pending images over to sharp
 * (as declines) and is replaced on the next request.
 */
export class JpegWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private decodedCount = 0;
  private readonly declineCounts = new Map<string, number>();
  private closed = false;

  constructor(private readonly size: number) {}

  get stats(): JpegWorkerStats {
    return { decoded: this.decodedCount, declined: Object.fromEntries(this.declineCounts) };
  }

  /** Decodes and resizes `bytes` on a worker; never rejects (failures come back as declines). */
  decode(bytes: Uint8Array, request: FastDecodeRequest): Promise<FastDecodeResult> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'worker pool closed' });
    const target = this.pickWorker();
    if (target === undefined) return Promise.resolve({ ok: false, reason: 'no decode worker could start' });
    const id = this.nextId;
    this.nextId += 1;
    // A compact copy to transfer: the caller keeps its bytes (sharp needs them if the worker declines), and a view
    // into a larger buffer (a file read, an LMDB page) would otherwise be cloned whole. Not `slice()`: on a Node
    // Buffer that is a view, not a copy.
    const copy = new Uint8Array(bytes);
    return new Promise<FastDecodeResult>((resolve) => {
      if (target.pending.size === 0) target.worker.ref();
      target.pending.set(id, {
        resolve: (result) => {
          if (result.ok) this.decodedCount += 1;
          else this.declineCounts.set(result.reason, (this.declineCounts.get(result.reason) ?? 0) + 1);
          resolve(result);
        },
      });
      target.worker.postMessage({ id, bytes: copy, request }, [copy.buffer]);
    });
  }

  /** Stops the workers; pending images come back as declines. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    for (const entry of workers) this.fail(entry, 'worker pool closed');
    await Promise.all(workers.map((entry) => entry.worker.terminate()));
  }

  private pickWorker(): PoolWorker | undefined {
    for (let index = this.workers.length - 1; index >= 0; index -= 1) {
      if (!this.workers[index]!.alive) this.workers.splice(index, 1);
    }
    let best: PoolWorker | undefined;
    for (const entry of this.workers) {
      if (best === undefined || entry.pending.size < best.pending.size) best = entry;
    }
    if (this.workers.length < this.size && (best === undefined || best.pending.size > 0)) {
      const started = this.startWorker();
      if (started !== undefined) return started;
    }
    return best;
  }

  private startWorker(): PoolWorker | undefined {
    let worker: Worker;
    try {
      worker = new Worker(workerSource(), { eval: true, name: 'dcgan-jpeg-decoder' });
    } catch {
      return undefined;
    }
    worker.unref();
    const entry: PoolWorker = { worker, pending: new Map(), alive: true };
    worker.on('message', (message: { id: number; ok: boolean; reason?: string; width?: number; height?: number; channels?: 3; scale?: number; data?: Uint8Array }) => {
      const pending = entry.pending.get(message.id);
      if (pending === undefined) return;
      entry.pending.delete(message.id);
      if (entry.pending.size === 0) worker.unref();
      if (message.ok) {
        pending.resolve({ ok: true, width: message.width!, height: message.height!, channels: message.channels!, scale: message.scale!, data: message.data! });
      } else {
        pending.resolve({ ok: false, reason: message.reason ?? 'declined' });
      }
    });
    worker.on('error', (error) => this.fail(entry, `decode worker failed: ${error.message}`));
    worker.on('exit', () => this.fail(entry, 'decode worker exited'));
    this.workers.push(entry);
    return entry;
  }

  private fail(entry: PoolWorker, reason: string): void {
    entry.alive = false;
    for (const pending of entry.pending.values()) pending.resolve({ ok: false, reason });
    entry.pending.clear();
    entry.worker.unref();
  }
}

/** Options of the JPEG fast path; see {@link configureJpegDecoding}. */
export interface JpegDecodingOptions {
  /**
   * Decode sequential JPEGs with the built-in DCT-domain decoder on worker threads when a transform starts with a
   * resize (several times cheaper than a full decode). Other images, and JPEGs it declines, go to sharp.
   * @default true
   */
  readonly fastPath?: boolean;
  /** Worker threads of the fast path. @default availableParallelism(), at most 8 */
  readonly workers?: number;
}

let options: Required<JpegDecodingOptions> = { fastPath: true, workers: Math.min(8, availableParallelism()) };
let pool: JpegWorkerPool | undefined;

/**
 * Turns the JPEG fast path on or off, or sizes its worker pool (existing workers are stopped).
 *
 * @example
 * configureJpegDecoding({ fastPath: false }); // every image through sharp (libvips), as in @dcgan/data 0.1
 */
export async function configureJpegDecoding(next: JpegDecodingOptions): Promise<void> {
  const workers = next.workers ?? options.workers;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`Expected \`workers\` to be a positive integer, got \`${workers}\``);
  options = { fastPath: next.fastPath ?? options.fastPath, workers };
  const previous = pool;
  pool = undefined;
  await previous?.close();
}

/** The shared pool, started on first use; undefined when the fast path is off. */
export function jpegWorkerPool(): JpegWorkerPool | undefined {
  if (!options.fastPath) return undefined;
  pool ??= new JpegWorkerPool(options.workers);
  return pool;
}

/** Counters of the shared pool since it started (zeros when it has not). */
export function jpegDecodingStats(): JpegWorkerStats {
  return pool?.stats ?? { decoded: 0, declined: {} };
}
