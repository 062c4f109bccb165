import { availableParallelism } from 'node:os';

import { backendNames, backendPackages, tfjsVersion, type BackendName } from './candidates.js';
import { inspectGpu, type GpuReport } from './gpu-libraries.js';
import { importModule as defaultImportModule, type ModuleImporter } from './load-module.js';
import { tryBackend, type CandidateReport } from './init-backend.js';
import * as tf from '@tensorflow/tfjs-core';
import { automaticWasmThreads, maximumWasmThreads } from './wasm/index.js';

/** Everything `dcgan-train --doctor` prints. */
export interface DiagnosisReport {
  readonly node: { readonly version: string; readonly supportedByNativeBackends: boolean; readonly note: string };
  readonly platform: string;
  readonly tfjsCoreVersion: string;
  readonly candidates: readonly (CandidateReport & { readonly usingGpu: boolean })[];
  readonly gpu: GpuReport;
  /** The fastest backend that works here. */
  readonly best: BackendName | null;
  /** The one command that would enable the GPU path, or `null` when it already works. */
  readonly enableGpuCommand: string | null;
  readonly notes: readonly string[];
  /** Threads the wasm backend would run on: `initBackend`'s `auto` (the cores this process may use, at most 8). */
  readonly wasmThreads: { readonly auto: number; readonly availableParallelism: number; readonly maximum: number };
}

export interface DiagnoseOptions {
  /** Loads a backend package; replaceable for tests. */
  readonly importModule?: ModuleImporter;
}

/**
 * Tries every backend in turn (leaving the last one that worked current) and reports why each did or did
 * not load, plus Node, GPU driver and CUDA library findings.
 *
 * @example
 * const report = await diagnose();
 * for (const candidate of report.candidates) console.log(candidate.name, candidate.status, candidate.reason);
 */
export async function diagnose(options: DiagnoseOptions = {}): Promise<DiagnosisReport> {
  const importModule = options.importModule ?? defaultImportModule;
  const major = Number(process.versions.node.split('.')[0]);
  const notes: string[] = [];
  const candidates: (CandidateReport & { usingGpu: boolean })[] = [];
  for (const name of [...backendNames].reverse()) {
    const attempt = await tryBackend(name, importModule, (message) => notes.push(message));
    candidates.unshift({
      name,
      package: backendPackages[name],
      status: attempt.ok ? 'available' : 'unavailable',
      reason: attempt.ok
        ? name === 'tensorflow-gpu' && !attempt.usingGpu
          ? 'loads, but runs on the CPU (no CUDA device or libraries)'
          : 'loads and runs'
        : attempt.reason,
      usingGpu: attempt.ok && attempt.usingGpu,
    });
  }
  const gpu = inspectGpu();
  const best = candidates.find((candidate) => candidate.status === 'available')?.name ?? null;
  const gpuWorks = candidates.some((candidate) => candidate.usingGpu);
  if (gpu.devices !== null && gpu.missing.length > 0) {
    notes.push(
      `An NVIDIA GPU is present but tfjs-node-gpu 4.22 needs CUDA 11.2 and cuDNN 8.1; missing: ${gpu.missing.join(', ')}. ` +
        'Put their lib64 folders on LD_LIBRARY_PATH.',
    );
  }
  return {
    node: {
      version: process.versions.node,
      supportedByNativeBackends: major >= 20 && major < 23,
      note:
        major >= 23
          ? 'Node 23+ removed util.isNullOrUndefined, which tfjs-node 4.22 calls; initBackend restores it before loading.'
          : 'ok',
    },
    platform: `${process.platform}-${process.arch}`,
    tfjsCoreVersion: tf.version_core,
    candidates,
    gpu,
    best,
    enableGpuCommand: gpuWorks
      ? null
      : `pnpm add @tensorflow/tfjs-node-gpu@${tfjsVersion} (or: npm install @tensorflow/tfjs-node-gpu@${tfjsVersion}), with CUDA 11.2 + cuDNN 8.1 on LD_LIBRARY_PATH`,
    notes,
    wasmThreads: { auto: automaticWasmThreads(), availableParallelism: availableParallelism(), maximum: maximumWasmThreads },
  };
}
