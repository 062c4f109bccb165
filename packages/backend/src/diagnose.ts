import { availableParallelism } from 'node:os';

import { backendNames, backendPackages, tfjsVersion, type BackendName } from './candidates.js';
import { inspectGpu, type GpuReport } from './gpu-libraries.js';
import { importModule as defaultImportModule, type ModuleImporter } from './load-module.js';
import { tryBackend, type CandidateReport } from './init-backend.js';
import {
  dawnPackage,
  dawnPackageVersion,
  formatAdapter,
  webGpuInstallAdvice,
  type WebGpuAdapterReport,
} from './webgpu/adapters.js';
import * as tf from '@tensorflow/tfjs-core';
import { automaticWasmThreads, maximumWasmThreads } from './wasm/index.js';

/** Everything `dcgan-train --doctor` prints. */
export interface DiagnosisReport {
  readonly node: { readonly version: string; readonly supportedByNativeBackends: boolean; readonly note: string };
  readonly platform: string;
  readonly tfjsCoreVersion: string;
  readonly candidates: readonly (CandidateReport & { readonly usingGpu: boolean })[];
  readonly gpu: GpuReport;
  /** The WebGPU adapters Dawn found (empty when none or when `webgpu` is not installed), and what to install when none is a GPU. */
  readonly webgpu: { readonly adapters: readonly WebGpuAdapterReport[]; readonly advice: string | null };
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
  let webgpuAdapters: readonly WebGpuAdapterReport[] = [];
  for (const name of [...backendNames].reverse()) {
    const attempt = await tryBackend(name, importModule, (message) => notes.push(message), {
      allowSoftwareAdapter: true,
    });
    if (name === 'webgpu') webgpuAdapters = attempt.webgpuAdapters ?? [];
    candidates.unshift({
      name,
      package: backendPackages[name],
      status: attempt.ok ? 'available' : 'unavailable',
      reason: attempt.ok
        ? name === 'tensorflow-gpu' && !attempt.usingGpu
          ? 'loads, but runs on the CPU (no CUDA device or libraries)'
          : attempt.webgpuAdapter !== undefined
            ? `loads and runs on ${formatAdapter(attempt.webgpuAdapter)}${attempt.webgpuAdapter.software ? ': a CPU rasteriser, used only when asked for by name' : ''}`
            : 'loads and runs'
        : attempt.reason,
      usingGpu: attempt.ok && attempt.usingGpu,
    });
  }
  const gpu = inspectGpu();
  const best =
    candidates.find(
      (candidate) => candidate.status === 'available' && (candidate.name !== 'webgpu' || candidate.usingGpu),
    )?.name ?? null;
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
    webgpu: {
      adapters: webgpuAdapters,
      advice: webgpuAdapters.some((adapter) => !adapter.software) ? null : webGpuInstallAdvice(),
    },
    best,
    enableGpuCommand: gpuWorks
      ? null
      : `pnpm add @tensorflow/tfjs-node-gpu@${tfjsVersion} (or: npm install @tensorflow/tfjs-node-gpu@${tfjsVersion}), with CUDA 11.2 + cuDNN 8.1 on LD_LIBRARY_PATH; ` +
        `or, for any GPU with a Vulkan, Metal or Direct3D 12 driver: npm install ${dawnPackage}@${dawnPackageVersion} @tensorflow/tfjs-backend-webgpu@${tfjsVersion} (webgpu)`,
    notes,
    wasmThreads: {
      auto: automaticWasmThreads(),
      availableParallelism: availableParallelism(),
      maximum: maximumWasmThreads,
    },
  };
}
