import { availableParallelism } from 'node:os';

import { type BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import { BackendError } from '../../errors.js';
import { phaseFilterCache } from '../conv2d-backprop-input.js';
import { clearLeakyReluSlopes } from '../elementwise.js';
import { wasmBackendName } from '../wasm-kernel-toolkit.js';
import { createThreadedWasmBackend, maximumWasmThreads } from './threaded-wasm-module.js';

/** How many threads the wasm backend uses: a count from 1 to 8, or `auto` (the cores this process may use, at most 8). */
export type WasmTrainingThreads = 'auto' | number;

/** tfjs-backend-wasm's own priority for `wasm`. */
const wasmPriority = 2;

let configuredThreads = 1;
let stockFactory: (() => BackendWasm | Promise<BackendWasm>) | undefined;

/** The thread count `auto` stands for here: `os.availableParallelism()`, at most 8. */
export function automaticWasmThreads(): number {
  return Math.max(1, Math.min(maximumWasmThreads, availableParallelism()));
}

/** Checks a thread setting and returns the count it stands for. */
export function resolveWasmThreads(threads: WasmTrainingThreads): number {
  if (threads === 'auto') return automaticWasmThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > maximumWasmThreads) {
    throw new BackendError(
      `Expected \`wasmThreads\` to be 'auto' or a whole number from 1 to ${maximumWasmThreads}, got \`${String(threads)}\``,
    );
  }
  return threads;
}

/**
 * Sets how many threads the `wasm` backend runs on and resolves to that count. With 2 or more, `wasm` is
 * tfjs-backend-wasm's threaded SIMD build, whose XNNPACK operators (every convolution and its gradients,
 * matrix products, element-wise arithmetic) split their work over that many threads; with 1, the stock
 * single-threaded SIMD build. Results are the same bits either way (each output value is computed by the
 * same code; tested on whole DCGAN steps).
 *
 * The thread count is fixed when the wasm backend starts, so a change restarts it: tensors held on `wasm`
 * are lost. Call this (or `initBackend({ wasmThreads })`) before making tensors. Needs
 * `@tensorflow/tfjs-backend-wasm` to have been imported (initBackend does that).
 */
export async function setWasmTrainingThreads(threads: WasmTrainingThreads = 'auto'): Promise<number> {
  const wanted = resolveWasmThreads(threads);
  const running = runningWasmBackend();
  const runningThreads = running === null ? undefined : threadsOf(running);
  if (
    runningThreads === wanted ||
    (running === null && tf.findBackendFactory(wasmBackendName) !== null && configuredThreads === wanted)
  ) {
    configuredThreads = wanted;
    return wanted;
  }
  const current = tf.findBackendFactory(wasmBackendName) as typeof stockFactory | null;
  if (current === null) {
    throw new BackendError(
      'The wasm backend is not registered: import @tensorflow/tfjs-backend-wasm (or call initBackend) first.',
    );
  }
  if (stockFactory === undefined && configuredThreads === 1) stockFactory = current;
  const single = stockFactory;
  if (single === undefined) throw new BackendError('The stock wasm backend factory was lost; restart the process.');
  const wasCurrent = tf.getBackend() === wasmBackendName;
  phaseFilterCache.clear();
  clearLeakyReluSlopes();
  tf.removeBackend(wasmBackendName);
  const factory =
    wanted === 1
      ? async () => {
          setThreadsCount(1);
          return single();
        }
      : () => createThreadedWasmBackend(wanted);
  tf.registerBackend(wasmBackendName, factory, wasmPriority);
  configuredThreads = wanted;
  if (wasCurrent && !(await tf.setBackend(wasmBackendName))) {
    throw new BackendError(`The wasm backend failed to start on ${wanted} thread${wanted === 1 ? '' : 's'}.`);
  }
  return wanted;
}

/** Threads the wasm backend uses (once started) or will use (before). */
export function wasmTrainingThreads(): number {
  const running = runningWasmBackend();
  return running === null ? configuredThreads : threadsOf(running);
}

/** The started wasm backend, if any (tf.findBackend would start one). */
function runningWasmBackend(): BackendWasm | null {
  return (
    ((tf.engine().registry as Record<string, tf.KernelBackend | undefined>)[wasmBackendName] as
      | BackendWasm
      | undefined) ?? null
  );
}

function threadsOf(backend: BackendWasm): number {
  const count = (backend.wasm as unknown as { tfjs: { getThreadsCount(): number } }).tfjs.getThreadsCount();
  return count > 0 ? count : 1;
}
