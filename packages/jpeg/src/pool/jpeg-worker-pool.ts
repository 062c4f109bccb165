import { Worker } from 'node:worker_threads';

import type { FastDecodeRequest, FastDecodeResult } from '../fast-decode';
import type { DecodeRequestMessage, DecodeResultMessage } from '../worker/messages';

/**
 * The worker's file: `jpeg-worker.js` next to the ES module build of this code, `jpeg-worker.cjs` next to the
 * CommonJS one (tsup builds both from src/worker/jpeg-worker.ts). Run from the TypeScript sources (this package's
 * own tests), the built worker in dist/, which the tests build first when it is missing or older than the sources.
 */
export function jpegWorkerFile(): URL {
  const here = import.meta.url;
  if (here.endsWith('.cjs')) return new URL('./jpeg-worker.cjs', here);
  if (here.endsWith('.ts')) return new URL('../../dist/jpeg-worker.js', here);
  return new URL('./jpeg-worker.js', here);
}

/**
 * The Node options a worker inherits: the process's own, less `--input-type` (a worker started from a file refuses
 * it: `node --input-type=module -e ...` would otherwise start no worker at all) and an `--eval`/`--print` script.
 */
function workerExecArgv(): string[] {
  const kept: string[] = [];
  const options = process.execArgv;
  for (let index = 0; index < options.length; index += 1) {
    const option = options[index]!;
    if (option.startsWith('--input-type=')) continue;
    if (
      option === '--input-type' ||
      option === '-e' ||
      option === '--eval' ||
      option === '-p' ||
      option === '--print'
    ) {
      index += 1;
      continue;
    }
    kept.push(option);
  }
  return kept;
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
  /** Images they declined (to be decoded by a general decoder instead), by reason. */
  readonly declined: Readonly<Record<string, number>>;
}

/**
 * A small pool of worker threads running the DCT-domain JPEG decoder and the resampler ({@link createFastDecode}).
 * Workers hold the event loop only while they have work, so an idle pool never keeps a process alive. A worker
 * that dies fails its pending images (as declines) and is replaced on the next request.
 *
 * @example
 * const pool = new JpegWorkerPool(2);
 * const result = await pool.decode(jpegBytes, { fit: 'outside', width: 64, height: 64 });
 * if (result.ok) console.log(result.width, result.height); // else decode `jpegBytes` another way (result.reason)
 * await pool.close();
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
    // A compact copy to transfer: the caller keeps its bytes (it needs them if the worker declines), and a view
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
      const message: DecodeRequestMessage = { id, bytes: copy, request };
      target.worker.postMessage(message, [copy.buffer]);
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
      worker = new Worker(jpegWorkerFile(), { name: 'dcgan-jpeg-decoder', execArgv: workerExecArgv() });
    } catch {
      return undefined;
    }
    worker.unref();
    const entry: PoolWorker = { worker, pending: new Map(), alive: true };
    worker.on('message', (message: DecodeResultMessage) => {
      const pending = entry.pending.get(message.id);
      if (pending === undefined) return;
      entry.pending.delete(message.id);
      if (entry.pending.size === 0) worker.unref();
      if (message.ok) {
        pending.resolve({
          ok: true,
          width: message.width,
          height: message.height,
          channels: message.channels,
          scale: message.scale,
          data: message.data,
        });
      } else {
        pending.resolve({ ok: false, reason: message.reason });
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
