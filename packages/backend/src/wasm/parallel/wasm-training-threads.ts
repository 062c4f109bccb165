import { availableParallelism } from 'node:os';

import { BackendError } from '../../errors.js';
import { KernelWorker } from './kernel-worker.js';
import { setSplitKernelWorker, splitKernelWorker } from './split-convolution.js';

/** How many threads the wasm training kernels use: `auto` is min(2, the machine's available parallelism). */
export type WasmTrainingThreads = 'auto' | 1 | 2;

let starting: Promise<unknown> = Promise.resolve();

/**
 * Sets how many threads the wasm backend's large convolutions use. With 2, a persistent worker thread running
 * its own wasm backend computes half of each large convolution's batch while the main thread computes the
 * other half (see `Conv2D` in this package's wasm kernels); results are the same bits as on one thread. With 1,
 * the worker is stopped. Resolves to the number of threads now in use.
 *
 * The worker is unref'd (it never keeps the process alive); call `setWasmTrainingThreads(1)` to free it early.
 */
export async function setWasmTrainingThreads(threads: WasmTrainingThreads = 'auto'): Promise<number> {
  if (threads !== 'auto' && threads !== 1 && threads !== 2) {
    throw new BackendError(`Expected \`wasmThreads\` to be 'auto', 1 or 2, got \`${String(threads)}\``);
  }
  const wanted = threads === 'auto' ? Math.min(2, availableParallelism()) : threads;
  const next = starting.then(async () => {
    const current = splitKernelWorker();
    if (wanted === 2 && current !== undefined) return;
    if (wanted === 1) {
      setSplitKernelWorker(undefined);
      if (current !== undefined) await current.terminate();
      return;
    }
    setSplitKernelWorker(await KernelWorker.start());
  });
  starting = next.catch(() => {});
  await next;
  return wasmTrainingThreads();
}

/** Threads the wasm training kernels use now (1 or 2). */
export function wasmTrainingThreads(): number {
  return splitKernelWorker() === undefined ? 1 : 2;
}
