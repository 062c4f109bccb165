import { BackendError } from '../errors.js';
import { importModule as defaultImportModule, isModuleNotFound, type ModuleImporter } from '../load-module.js';

/** The npm package with Dawn's Node bindings (a prebuilt `dawn.node` per platform). */
export const dawnPackage = 'webgpu';
/** The version of `webgpu` this package was tested with. */
export const dawnPackageVersion = '0.6.2';

/** One WebGPU adapter (a GPU, or a software rasteriser) as Dawn reports it. */
export interface WebGpuAdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for CPU implementations (Mesa's llvmpipe/lavapipe, SwiftShader, WARP): slower than wasm for training. */
  readonly software: boolean;
}

/** What Dawn's `webgpu` package exports (the parts used here). */
interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

/** The slice of `GPU` / `GPUAdapter` used here; the full types live in @webgpu/types. */
export interface DawnGpu {
  requestAdapter(options?: {
    powerPreference?: 'low-power' | 'high-performance';
    forceFallbackAdapter?: boolean;
  }): Promise<DawnAdapter | null>;
}

export interface DawnAdapter {
  readonly info: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter?: boolean;
  };
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  readonly isFallbackAdapter?: boolean;
  requestDevice(descriptor?: {
    requiredFeatures?: string[];
    requiredLimits?: Record<string, number>;
  }): Promise<unknown>;
}

const softwareNames = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

/** Whether an adapter is a CPU implementation rather than a GPU. */
export function isSoftwareAdapter(adapter: DawnAdapter): boolean {
  const info = adapter.info;
  return (
    adapter.isFallbackAdapter === true ||
    info.isFallbackAdapter === true ||
    info.architecture === 'software' ||
    softwareNames.test(`${info.description} ${info.device} ${info.vendor}`)
  );
}

export function describeAdapter(adapter: DawnAdapter): WebGpuAdapterReport {
  const { vendor, architecture, device, description } = adapter.info;
  return { vendor, architecture, device, description, software: isSoftwareAdapter(adapter) };
}

/** One line for an adapter: `NVIDIA H100 (nvidia, hopper; hardware)`. */
export function formatAdapter(adapter: WebGpuAdapterReport): string {
  const name = adapter.description || adapter.device || 'unnamed adapter';
  const details = [adapter.vendor, adapter.architecture === 'software' ? '' : adapter.architecture]
    .filter(Boolean)
    .join(', ');
  return `${name} (${details === '' ? '' : `${details}; `}${adapter.software ? 'software' : 'hardware'})`;
}

/** Dawn's GPU object per module importer (one per process in practice; tests pass their own importers). */
const dawnByImporter = new WeakMap<ModuleImporter, DawnGpu>();

/**
 * Loads Dawn's Node bindings once and gives them what a browser would: the `GPUBufferUsage`-style constants
 * on `globalThis` (tfjs-backend-webgpu reads them as globals), and `navigator.gpu` (tfjs-backend-webgpu
 * refuses to construct its backend without it). Existing globals are left alone.
 */
export async function loadDawn(importModule: ModuleImporter): Promise<DawnGpu> {
  const loaded = dawnByImporter.get(importModule);
  if (loaded !== undefined) return loaded;
  const module = (await importModule(dawnPackage)) as Partial<DawnModule>;
  if (typeof module.create !== 'function' || module.globals === undefined) {
    throw new BackendError(
      `The \`${dawnPackage}\` package loaded but does not export create() and globals: expected Dawn's Node bindings ${dawnPackageVersion}`,
    );
  }
  const scope = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(module.globals)) {
    if (!(name in scope)) scope[name] = value;
  }
  const gpu = module.create([]);
  if (scope.navigator === undefined) scope.navigator = {};
  const navigator = scope.navigator as { gpu?: unknown };
  if (navigator.gpu === undefined) {
    // Node 21+ has a global Navigator without `gpu`; define it there (the object itself is not replaceable).
    Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true, writable: true, enumerable: false });
  }
  dawnByImporter.set(importModule, gpu);
  return gpu;
}

/**
 * Every adapter Dawn offers here, the one a high-performance request gets first (deduplicated: Dawn's
 * `requestAdapter` returns one adapter per request, so the power preferences and the fallback request are
 * asked in turn). Throws when the `webgpu` package cannot load.
 */
export async function requestAdapters(importModule: ModuleImporter): Promise<DawnAdapter[]> {
  const gpu = await loadDawn(importModule);
  const requests = [
    { powerPreference: 'high-performance' as const },
    { powerPreference: 'low-power' as const },
    { forceFallbackAdapter: true },
  ];
  const adapters: DawnAdapter[] = [];
  const seen = new Set<string>();
  for (const request of requests) {
    let adapter: DawnAdapter | null;
    try {
      adapter = await gpu.requestAdapter(request);
    } catch {
      adapter = null;
    }
    if (adapter === null) continue;
    const key = `${adapter.info.vendor}|${adapter.info.device}|${adapter.info.description}`;
    if (seen.has(key)) continue;
    seen.add(key);
    adapters.push(adapter);
  }
  return adapters;
}

/** Lists the WebGPU adapters on this machine (empty when there are none); throws when `webgpu` cannot load. */
export async function listWebGpuAdapters(
  options: { importModule?: ModuleImporter } = {},
): Promise<WebGpuAdapterReport[]> {
  return (await requestAdapters(options.importModule ?? defaultImportModule)).map(describeAdapter);
}

/** What to install so that Dawn finds an adapter on this platform. */
export function webGpuInstallAdvice(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin')
    return 'macOS needs nothing beyond the `webgpu` package (Dawn uses Metal); check that the GPU is not disabled.';
  if (platform === 'win32') return 'Windows needs an up-to-date GPU driver with Direct3D 12 or Vulkan.';
  return (
    "Linux needs a Vulkan driver: NVIDIA's driver ships one (libnvidia-vulkan / nvidia_icd.json; in a container, " +
    'NVIDIA_DRIVER_CAPABILITIES must include `graphics`, e.g. `compute,utility,graphics`); for AMD and Intel install Mesa ' +
    '(Debian/Ubuntu: `apt-get install mesa-vulkan-drivers`). `vulkaninfo --summary` (package vulkan-tools) lists what Vulkan sees.'
  );
}

/** Explains why `webgpu` or `@tensorflow/tfjs-backend-webgpu` failed to load. */
export function explainWebGpuLoadFailure(packageName: string, error: unknown): string {
  const install = `npm install ${dawnPackage}@${dawnPackageVersion} @tensorflow/tfjs-backend-webgpu@4.22.0`;
  if (isModuleNotFound(error, packageName)) return `${packageName} is not installed (${install})`;
  const message = error instanceof Error ? error.message : String(error);
  if (/dawn\.node/.test(message)) {
    return `${packageName} has no Dawn build for ${process.platform}-${process.arch} or it failed to load: ${message.split('\n')[0]}`;
  }
  return `${packageName} failed to load: ${message.split('\n')[0]}`;
}
