import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

import { BackendError } from '../../errors.js';
import { kernelWorkerSource } from './kernel-worker-source.js';

/** Control word states shared with the worker (see kernelWorkerSource). */
const idle = 0;
const requested = 1;
const done = 2;
const failed = 3;
const exited = 4;

/** Inputs the worker keeps (filters, biases) at most; the least recently used is released first. */
const maximumCachedInputs = 64;

/** One input of a kernel call sent to the worker. */
export interface WorkerKernelInput {
  readonly name: string;
  readonly shape: readonly number[];
  /** The values (copied into shared memory unless the worker already holds `cacheKey`'s). */
  readonly values: () => Float32Array;
  /**
   * An object that identifies these values for as long as `isLive(cacheKey)` holds (a weight tensor's dataId):
   * the worker then keeps them and they are sent once.
   */
  readonly cacheKey?: object;
}

/** The worker's output: a view of its shared output buffer, valid until the next request. */
export interface WorkerKernelOutput {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

interface Reply {
  readonly output?: Float32Array;
  readonly shape?: number[];
  readonly length?: number;
  readonly error?: string;
}

/**
 * A persistent worker thread with its own tfjs wasm backend that runs one kernel call at a time for the main
 * thread, synchronously from the main thread's point of view: {@link submit} hands the call over (shared
 * memory, no copy of the message body), the main thread does its own share of the work, then {@link collect}
 * blocks in `Atomics.wait` until the worker is done. Kernel functions are synchronous, so this is the only
 * way to use a second core from inside one.
 *
 * The worker is unref'd: it never keeps the process alive. {@link terminate} stops it.
 */
export class KernelWorker {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly control: Int32Array;
  private buffer = new Float32Array(new SharedArrayBuffer(4 * 1024 * 1024));
  /** Keys the worker holds, least recently used first, with the object each stands for. */
  private readonly sent = new Map<number, object>();
  private readonly keys = new WeakMap<object, number>();
  private nextKey = 1;
  private pending = false;
  private submitted = 0;
  private broken: string | undefined;
  private readonly waitLimitMilliseconds: number;

  private constructor(worker: Worker, port: MessagePort, control: Int32Array, waitLimitMilliseconds: number) {
    this.worker = worker;
    this.port = port;
    this.control = control;
    this.waitLimitMilliseconds = waitLimitMilliseconds;
  }

  /** Starts a worker and waits until its wasm backend is ready. */
  static async start(options: { readonly waitLimitMilliseconds?: number } = {}): Promise<KernelWorker> {
    const require = createRequire(import.meta.url);
    const control = new Int32Array(new SharedArrayBuffer(8));
    const channel = new MessageChannel();
    const worker = new Worker(kernelWorkerSource, {
      eval: true,
      workerData: {
        control,
        port: channel.port2,
        tfjsCorePath: require.resolve('@tensorflow/tfjs-core'),
        tfjsBackendWasmPath: require.resolve('@tensorflow/tfjs-backend-wasm'),
      },
      transferList: [channel.port2],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once('message', (message: { type: string; error?: string }) => {
          if (message.type === 'ready') resolve();
          else reject(new BackendError(`The wasm worker thread could not start its wasm backend: ${message.error ?? 'no reason given'}`));
        });
        worker.once('error', (error) => reject(new BackendError('The wasm worker thread failed while starting.', { cause: error })));
        worker.once('exit', (code) => reject(new BackendError(`The wasm worker thread exited with code ${code} while starting.`)));
      });
    } catch (error) {
      await worker.terminate();
      channel.port1.close();
      throw error;
    }
    worker.removeAllListeners();
    // Errors after start are reported through the control word; keep them from becoming uncaught.
    worker.on('error', () => {});
    worker.unref();
    channel.port1.unref();
    return new KernelWorker(worker, channel.port1, control, options.waitLimitMilliseconds ?? 600_000);
  }

  /**
   * Hands one kernel call to the worker and returns at once. `isLive` says whether a cache key's values may
   * still be used (a weight tensor not yet freed); keys that are not are released in the worker.
   */
  submit(kernelName: string, inputs: readonly WorkerKernelInput[], attrs: Record<string, unknown>, isLive: (key: object) => boolean): void {
    if (this.broken !== undefined) throw new BackendError(this.broken);
    if (this.pending) throw new BackendError('A wasm worker call was submitted while another was pending; collect() it first.');
    const release: number[] = [];
    for (const [key, source] of this.sent) {
      if (!isLive(source)) {
        this.sent.delete(key);
        release.push(key);
      }
    }
    const described: Array<{ name: string; shape: number[]; offset: number; key?: number }> = [];
    const toCopy: Array<{ offset: number; input: WorkerKernelInput }> = [];
    let offset = 0;
    for (const input of inputs) {
      let key: number | undefined;
      if (input.cacheKey !== undefined) {
        key = this.keys.get(input.cacheKey);
        if (key === undefined) {
          key = this.nextKey++;
          this.keys.set(input.cacheKey, key);
        }
        if (this.sent.has(key)) {
          this.sent.delete(key);
          this.sent.set(key, input.cacheKey);
          described.push({ name: input.name, shape: [...input.shape], offset: 0, key });
          continue;
        }
        this.sent.set(key, input.cacheKey);
      }
      described.push({ name: input.name, shape: [...input.shape], offset, ...(key === undefined ? {} : { key }) });
      toCopy.push({ offset, input });
      offset += input.shape.reduce((product, size) => product * size, 1);
    }
    while (this.sent.size > maximumCachedInputs) {
      const oldest = this.sent.keys().next().value as number;
      this.sent.delete(oldest);
      release.push(oldest);
    }
    if (this.buffer.length < offset) this.buffer = new Float32Array(new SharedArrayBuffer(offset * 4 * 2));
    for (const { offset: start, input } of toCopy) this.buffer.set(input.values(), start);
    this.port.postMessage({ kernelName, attrs, inputs: described, buffer: this.buffer, release });
    Atomics.store(this.control, 0, requested);
    Atomics.notify(this.control, 0);
    this.pending = true;
    this.submitted++;
  }

  /** Blocks until the submitted call is done and returns its output (valid until the next submit). */
  collect(): WorkerKernelOutput {
    if (!this.pending) throw new BackendError('collect() was called with no wasm worker call pending.');
    this.pending = false;
    const began = Date.now();
    while (Atomics.load(this.control, 0) === requested) {
      if (Atomics.wait(this.control, 0, requested, 1000) === 'timed-out' && Date.now() - began > this.waitLimitMilliseconds) {
        this.broken = `The wasm worker thread did not answer within ${this.waitLimitMilliseconds / 1000} s.`;
        throw new BackendError(this.broken);
      }
    }
    const state = Atomics.load(this.control, 0);
    if (state === exited) {
      this.broken = 'The wasm worker thread has exited; restart it (setWasmTrainingThreads) or use one thread.';
      throw new BackendError(this.broken);
    }
    const received = receiveMessageOnPort(this.port) as { message: Reply } | undefined;
    Atomics.store(this.control, 0, idle);
    const reply = received?.message;
    if (state === failed || reply === undefined || reply.output === undefined || reply.shape === undefined || reply.length === undefined) {
      throw new BackendError(`The wasm worker thread failed to run its share of a kernel: ${reply?.error ?? `no reply (state ${state})`}`);
    }
    return { values: reply.output.subarray(0, reply.length), shape: reply.shape };
  }

  /** Kernel calls handed to the worker so far (for tests and benchmarks). */
  get requests(): number {
    return this.submitted;
  }

  /** Inputs held in the worker (for tests). */
  get cachedInputs(): number {
    return this.sent.size;
  }

  /** Stops the worker thread and frees what it holds. */
  async terminate(): Promise<void> {
    this.broken = 'The wasm worker thread was stopped.';
    this.port.close();
    await this.worker.terminate();
  }
}
