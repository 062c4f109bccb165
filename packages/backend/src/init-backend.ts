import * as tf from '@tensorflow/tfjs-core';

import {
  backendNames,
  backendPackages,
  isBackendPreference,
  tfjsBackendNames,
  type BackendName,
  type BackendPreference,
} from './candidates.js';
import { BackendError } from './errors.js';
import { inspectGpu } from './gpu-libraries.js';
import {
  importModule as defaultImportModule,
  isModuleNotFound,
  restoreLegacyUtilHelpers,
  type ModuleImporter,
} from './load-module.js';
import {
  registerWasmTrainingKernels,
  resolveWasmThreads,
  setWasmTrainingThreads,
  wasmTrainingThreads,
  type WasmTrainingThreads,
} from './wasm/index.js';
import { formatAdapter, type WebGpuAdapterReport } from './webgpu/adapters.js';
import { prepareWebGpu } from './webgpu/start-webgpu.js';

/** What happened to one backend while choosing. */
export interface CandidateReport {
  readonly name: BackendName;
  readonly package: string;
  /** `selected`: in use now; `available`: loads but another was chosen; `unavailable`: cannot run here. */
  readonly status: 'selected' | 'available' | 'unavailable' | 'not-tried';
  /** Why, in one sentence a user can act on. */
  readonly reason: string;
}

/** The backend in use and how it was chosen. */
export interface BackendSelection {
  readonly name: BackendName;
  /** `tf.getBackend()` now. */
  readonly tfjsBackend: string;
  /** True when kernels run on a GPU: a CUDA device (tensorflow-gpu) or a hardware WebGPU adapter. */
  readonly usingGpu: boolean;
  /** The WebGPU adapter, when `webgpu` was chosen. */
  readonly webgpuAdapter?: WebGpuAdapterReport;
  readonly reason: string;
  readonly candidates: readonly CandidateReport[];
  /** Things the user should know (a GPU package running on the CPU, a patched Node API...). */
  readonly warnings: readonly string[];
  /** Threads the wasm backend runs on, when wasm was chosen. */
  readonly wasmThreads?: number;
}

/** Progress of `initBackend`, tagged by `status`. */
export type BackendEvent =
  | { readonly status: 'trying'; readonly name: BackendName }
  | { readonly status: 'candidate'; readonly report: CandidateReport }
  | { readonly status: 'warning'; readonly message: string }
  | { readonly status: 'selected'; readonly selection: BackendSelection };

export interface InitBackendOptions {
  /**
   * `auto` takes @tensorflow/tfjs-node-gpu when it loads, then WebGPU (Dawn's `webgpu` package with
   * @tensorflow/tfjs-backend-webgpu) on a hardware adapter, then @tensorflow/tfjs-node, then wasm with this
   * package's training kernels, then the pure-JS cpu backend. A name asks for that backend only; `webgpu` by
   * name also takes a software adapter (Mesa's llvmpipe, SwiftShader) when there is no GPU.
   * @default 'auto'
   */
  readonly prefer?: BackendPreference;
  /**
   * When `tensorflow-gpu` is asked for by name and loads without finding a CUDA device (missing CUDA 11.2 /
   * cuDNN 8.1 libraries make tfjs-node-gpu run on the CPU without a word), throw instead of going on.
   * @default true
   */
  readonly requireGpu?: boolean;
  /**
   * Threads the wasm backend runs on when wasm is chosen: `auto` takes the cores this process may use
   * (`os.availableParallelism()`, at most 8); a number from 1 to 8 overrides it. With 2 or more, wasm is
   * tfjs's threaded SIMD build, whose convolutions and their gradients split over the threads (same results,
   * bit for bit). See `setWasmTrainingThreads`.
   * @default 'auto'
   */
  readonly wasmThreads?: WasmTrainingThreads;
  /** Receives what is tried and chosen; library code never prints. */
  readonly onEvent?: (event: BackendEvent) => void;
  /** Loads a backend package; replaceable for tests. @default dynamic import, then from the project's cwd */
  readonly importModule?: ModuleImporter;
}

/**
 * Starts the fastest TensorFlow.js backend that works on this machine and says which and why.
 *
 * @example
 * const selection = await initBackend({ prefer: 'auto' });
 * console.log(`training on ${selection.name}: ${selection.reason}`);
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendSelection> {
  const prefer = options.prefer ?? 'auto';
  if (!isBackendPreference(prefer)) {
    throw new BackendError(
      `Expected \`prefer\` to be one of auto, ${backendNames.join(', ')}, got \`${String(prefer)}\``,
    );
  }
  const emit = options.onEvent ?? (() => {});
  const importModule = options.importModule ?? defaultImportModule;
  const requireGpu = options.requireGpu ?? true;
  const wasmThreads = options.wasmThreads ?? 'auto';
  resolveWasmThreads(wasmThreads);
  const order: BackendName[] = prefer === 'auto' ? [...backendNames] : [prefer];
  const candidates: CandidateReport[] = [];
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    emit({ status: 'warning', message });
  };

  for (const name of order) {
    emit({ status: 'trying', name });
    const attempt = await tryBackend(name, importModule, warn, { allowSoftwareAdapter: prefer === 'webgpu' });
    if (!attempt.ok) {
      const report: CandidateReport = {
        name,
        package: backendPackages[name],
        status: 'unavailable',
        reason: attempt.reason,
      };
      candidates.push(report);
      emit({ status: 'candidate', report });
      if (prefer !== 'auto') {
        throw new BackendError(`Backend \`${name}\` was asked for but cannot run here: ${attempt.reason}`, {
          cause: attempt.cause,
        });
      }
      continue;
    }
    if (name === 'tensorflow-gpu' && !attempt.usingGpu) {
      const gpu = inspectGpu();
      const why =
        gpu.missing.length > 0
          ? `these CUDA 11.2 / cuDNN 8.1 libraries were not found: ${gpu.missing.join(', ')}`
          : gpu.devices === null
            ? 'no NVIDIA driver was found (nvidia-smi is missing)'
            : 'TensorFlow found no usable CUDA device';
      const message = `@tensorflow/tfjs-node-gpu loaded but is running on the CPU, not the GPU: ${why}.`;
      if (prefer === 'tensorflow-gpu' && requireGpu) {
        throw new BackendError(
          `${message} Install CUDA 11.2 and cuDNN 8.1 (see \`dcgan-train --doctor\`), or ask for \`tensorflow\`.`,
        );
      }
      warn(message);
    }
    if (name === 'wasm') {
      try {
        await setWasmTrainingThreads(wasmThreads);
      } catch (error) {
        await setWasmTrainingThreads(1);
        await tf.setBackend('wasm');
        warn(`The wasm backend runs on one thread: its threaded build could not start (${messageOf(error)}).`);
      }
    }
    const adapterNote = attempt.webgpuAdapter === undefined ? '' : ` on ${formatAdapter(attempt.webgpuAdapter)}`;
    const reason =
      prefer !== 'auto'
        ? `asked for ${name}${adapterNote}`
        : candidates.length === 0
          ? `${backendPackages[name]} loaded${adapterNote} (fastest candidate)`
          : `${backendPackages[name]} loaded${adapterNote}; faster candidates unavailable (${candidates.map((c) => c.name).join(', ')})`;
    const selectedReport: CandidateReport = { name, package: backendPackages[name], status: 'selected', reason };
    candidates.push(selectedReport);
    emit({ status: 'candidate', report: selectedReport });
    for (const rest of order.slice(order.indexOf(name) + 1)) {
      candidates.push({
        name: rest,
        package: backendPackages[rest],
        status: 'not-tried',
        reason: `${name} was chosen first`,
      });
    }
    const selection: BackendSelection = {
      name,
      tfjsBackend: tf.getBackend(),
      usingGpu: attempt.usingGpu,
      ...(attempt.webgpuAdapter === undefined ? {} : { webgpuAdapter: attempt.webgpuAdapter }),
      reason,
      candidates,
      warnings,
      ...(name === 'wasm' ? { wasmThreads: wasmTrainingThreads() } : {}),
    };
    emit({ status: 'selected', selection });
    return selection;
  }
  throw new BackendError(
    `No TensorFlow.js backend could start: ${candidates.map((c) => `${c.name}: ${c.reason}`).join('; ')}`,
  );
}

type Attempt =
  | {
      ok: true;
      usingGpu: boolean;
      webgpuAdapter?: WebGpuAdapterReport;
      webgpuAdapters?: readonly WebGpuAdapterReport[];
    }
  | { ok: false; reason: string; cause?: unknown; webgpuAdapters?: readonly WebGpuAdapterReport[] };

/** Loads one backend package, makes it current, and checks it answers. Never throws. */
export async function tryBackend(
  name: BackendName,
  importModule: ModuleImporter,
  warn: (message: string) => void = () => {},
  options: { readonly allowSoftwareAdapter?: boolean } = {},
): Promise<Attempt> {
  const packageName = backendPackages[name];
  const tfjsName = tfjsBackendNames[name];
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const major = Number(process.versions.node.split('.')[0]);
    if (major >= 23) {
      const restored = restoreLegacyUtilHelpers();
      if (restored.length > 0) {
        warn(
          `Node ${process.versions.node} removed util.${restored.join('/util.')}, which ${packageName} 4.22 calls; restored them.`,
        );
      }
    }
  }
  let webgpuAdapter: WebGpuAdapterReport | undefined;
  let webgpuAdapters: readonly WebGpuAdapterReport[] = [];
  if (name === 'webgpu') {
    const prepared = await prepareWebGpu(importModule, options.allowSoftwareAdapter === true);
    if (!prepared.ok)
      return { ok: false, reason: prepared.reason, cause: prepared.cause, webgpuAdapters: prepared.adapters ?? [] };
    webgpuAdapter = prepared.adapter;
    webgpuAdapters = prepared.adapters;
  } else {
    try {
      await importModule(packageName);
    } catch (error) {
      return { ok: false, reason: explainLoadFailure(packageName, error), cause: error };
    }
  }
  if (name === 'wasm') registerWasmTrainingKernels();
  if (tf.findBackendFactory(tfjsName) === null && tf.findBackend(tfjsName) === null) {
    return {
      ok: false,
      reason: `${packageName} loaded but registered no \`${tfjsName}\` backend with this @tensorflow/tfjs-core: the install holds two copies of tfjs-core (pin every @tensorflow/* package to 4.22.0)`,
    };
  }
  try {
    const started = await tf.setBackend(tfjsName);
    if (!started) return { ok: false, reason: `${packageName} loaded but its backend failed to start` };
    await tf.ready();
    // One tiny op proves the kernels run (tfjs-node on Node 23+ failed exactly here). Read asynchronously:
    // webgpu cannot read a GPU tensor synchronously in Node.
    const sum = tf.add(tf.scalar(1), tf.scalar(2));
    const check = (await sum.data())[0];
    sum.dispose();
    if (check !== 3) return { ok: false, reason: `${packageName} started but computed 1 + 2 = ${String(check)}` };
  } catch (error) {
    return { ok: false, reason: `${packageName} failed at its first op: ${messageOf(error)}`, cause: error };
  }
  if (webgpuAdapter !== undefined)
    return { ok: true, usingGpu: !webgpuAdapter.software, webgpuAdapter, webgpuAdapters };
  const backend = tf.backend() as { isUsingGpuDevice?: boolean };
  return { ok: true, usingGpu: name === 'tensorflow-gpu' && backend.isUsingGpuDevice === true };
}

function explainLoadFailure(packageName: string, error: unknown): string {
  const message = messageOf(error);
  if (/tfjs_binding\.node|libtensorflow|deps\/lib/.test(message)) {
    return (
      `${packageName} is installed but its native library is missing: its install script did not run or could not ` +
      `download libtensorflow (pnpm 10+ runs it only for packages in onlyBuiltDependencies; then \`pnpm rebuild ${packageName}\`). ` +
      `Loader said: ${firstLine(message)}`
    );
  }
  if (isModuleNotFound(error, packageName)) return `${packageName} is not installed`;
  if (/libcud|cudnn|libnvinfer/i.test(message))
    return `${packageName} could not load CUDA libraries: ${firstLine(message)}`;
  return `${packageName} failed to load: ${firstLine(message)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
