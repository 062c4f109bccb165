import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';

import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

import { BackendError } from '../../errors.js';

/** Threads XNNPACK's pool can use at most (tfjs-backend-wasm 4.22 starts 8 pthread workers and caps at 8). */
export const maximumWasmThreads = 8;

/** The parts of the Emscripten module of tfjs's threaded build that are used here. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argumentTypes: string[]): (...args: number[]) => number;
  PThread: { unusedWorkers: Worker[]; runningWorkers: Worker[] };
  tfjs?: Record<string, unknown>;
}

type EmscriptenImports = { env: Record<string, unknown> };
type ThreadedFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

/**
 * Starts @tensorflow/tfjs-backend-wasm's threaded SIMD build under Node with `threads` threads in XNNPACK's pool
 * and returns a wasm backend on it (the same `BackendWasm` class and kernels as the stock `wasm` backend).
 *
 * tfjs 4.22 never uses this build in Node (its feature check answers no there), and starting it as tfjs does
 * fails: Emscripten's pthread workers are created from `blob:` URLs, which Node's `Worker` refuses, and the
 * pool size is capped at half of `os.cpus()` (one thread on 2 cores). Here the workers are started from a file
 * that runs tfjs's own worker script (`assets/wasm-pthread-worker.cjs`), the main script is handed to them as
 * a path, and the module is told through its `emscripten_num_logical_cores` import that there are
 * `2 * threads` logical cores, so that its cap is `threads`.
 *
 * Every XNNPACK operator (convolutions, matrix products, element-wise arithmetic) then splits its work over
 * the pool, the calling thread included; tfjs's own C++ kernels (reductions, batch norm, transposes) stay on
 * the calling thread. The pool's workers are unref'd and the spare ones stopped, so the process still exits
 * by itself.
 */
export async function createThreadedWasmBackend(threads: number): Promise<BackendWasm> {
  if (!Number.isInteger(threads) || threads < 2 || threads > maximumWasmThreads) {
    throw new BackendError(
      `Expected a threaded wasm backend to have 2 to ${maximumWasmThreads} threads, got \`${String(threads)}\``,
    );
  }
  const require = createRequire(import.meta.url);
  const mainScript = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const wasmOut = dirname(mainScript);
  const workerScript = join(
    dirname(require.resolve('@dcgan/backend/package.json')),
    'assets',
    'wasm-pthread-worker.cjs',
  );
  const factory = require(mainScript) as ThreadedFactory;
  const binary = await readFile(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.wasm'));
  let instantiationError: unknown;
  const module = await factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? workerScript : join(wasmOut, path)),
    // A path, not tfjs's Blob: the worker script reads it with fs.
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm(
      imports: EmscriptenImports,
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) {
      // tfjs caps its pool at min(requested, logical cores / 2).
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssembly.instantiate(binary, imports as unknown as WebAssembly.Imports).then(
        (result) => receive(result.instance, result.module),
        (error: unknown) => {
          instantiationError = error;
        },
      );
      return {};
    },
  }).catch((error: unknown) => {
    throw new BackendError(
      `tfjs's threaded wasm build failed to start: ${String((error as Error)?.message ?? instantiationError ?? error)}`,
      {
        cause: error,
      },
    );
  });
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  // BackendWasm's constructor creates XNNPACK's pool with this many threads.
  setThreadsCount(threads);
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  for (const worker of module.PThread.runningWorkers) worker.unref();
  for (const worker of module.PThread.unusedWorkers.splice(0)) void worker.terminate();
  const started = (module.tfjs.getThreadsCount as () => number)();
  if (started !== threads) {
    backend.dispose();
    throw new BackendError(`tfjs's threaded wasm build started ${started} threads instead of ${threads}.`);
  }
  return backend;
}
