import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The CUDA libraries tfjs-node-gpu 4.22 (libtensorflow 2.9.1) dlopens: CUDA 11.2 and cuDNN 8.1. */
export const requiredGpuLibraries: readonly string[] = [
  'libcudart.so.11.0',
  'libcublas.so.11',
  'libcublasLt.so.11',
  'libcufft.so.10',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.11',
  'libcudnn.so.8',
];

export interface GpuLibraryReport {
  readonly library: string;
  /** Where it was found, or `null`. */
  readonly path: string | null;
}

export interface GpuReport {
  /** Output of `nvidia-smi -L`, or `null` when there is no driver tool. */
  readonly devices: string | null;
  readonly libraries: readonly GpuLibraryReport[];
  /** The libraries that were not found. */
  readonly missing: readonly string[];
}

/** Looks for an NVIDIA driver and the CUDA/cuDNN libraries tfjs-node-gpu needs, without loading them. */
export function inspectGpu(): GpuReport {
  const devices = run('nvidia-smi', ['-L']);
  const cache = run('ldconfig', ['-p']) ?? run('/sbin/ldconfig', ['-p']) ?? '';
  const searchDirectories = (process.env.LD_LIBRARY_PATH ?? '')
    .split(':')
    .filter(Boolean)
    .concat(['/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64', '/usr/lib/x86_64-linux-gnu']);
  const libraries = requiredGpuLibraries.map((library) => {
    const cached = cache
      .split('\n')
      .find((line) => line.trim().startsWith(`${library} `))
      ?.split('=>')[1]
      ?.trim();
    const onPath = searchDirectories.map((directory) => join(directory, library)).find((path) => existsSync(path));
    return { library, path: cached ?? onPath ?? null };
  });
  return {
    devices: devices?.trim() || null,
    libraries,
    missing: libraries.filter((entry) => entry.path === null).map((entry) => entry.library),
  };
}

function run(command: string, arguments_: string[]): string | null {
  try {
    return execFileSync(command, arguments_, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  } catch {
    return null;
  }
}
