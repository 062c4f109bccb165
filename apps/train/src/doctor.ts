import { formatAdapter, type DiagnosisReport } from '@dcgan/backend';
import { applyTransform, configureJpegDecoding, jpegDecodingStats, resizeThenCenterCrop } from '@dcgan/data';
import sharp from 'sharp';

/** How images will be decoded here: the JPEG fast path (tried on a real JPEG) and sharp for the rest. */
export interface DataDiagnosis {
  /** Whether a JPEG went through the fast path's worker threads, or why not. */
  readonly jpegFastPath: { readonly ok: true } | { readonly ok: false; readonly reason: string };
  readonly sharpVersion: string;
  readonly libvipsVersion: string;
  /** libuv's thread pool size (images sharp decodes at once), when known. */
  readonly threadPoolSize?: number;
}

/** Decodes one small JPEG (made by sharp) through the data pipeline and reports which path it took. */
export async function diagnoseData(): Promise<DataDiagnosis> {
  const versions = sharp.versions as { sharp?: string; vips: string };
  const base = { sharpVersion: versions.sharp ?? 'unknown', libvipsVersion: versions.vips };
  try {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 120, b: 40 } } })
      .jpeg()
      .toBuffer();
    const before = jpegDecodingStats();
    await applyTransform({ encoded: jpeg }, resizeThenCenterCrop(16));
    const after = jpegDecodingStats();
    if (after.decoded > before.decoded) return { ...base, jpegFastPath: { ok: true } };
    const reason =
      Object.entries(after.declined).find(([key, count]) => count > (before.declined[key] ?? 0))?.[0] ??
      'the fast path is off';
    return { ...base, jpegFastPath: { ok: false, reason } };
  } catch (error) {
    return { ...base, jpegFastPath: { ok: false, reason: (error as Error).message } };
  } finally {
    await configureJpegDecoding({}); // stop the workers so that the report's process exits at once
  }
}

/** Renders `diagnose()`'s findings (and the data path's) for `dcgan-train --doctor`. */
export function formatDoctorReport(report: DiagnosisReport, data?: DataDiagnosis): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'no  ');
  const lines = [
    'dcgan-train doctor',
    `  node ${report.node.version} on ${report.platform}; tfjs-core ${report.tfjsCoreVersion}${report.node.note === 'ok' ? '' : ` (${report.node.note})`}`,
    '',
    'backends (fastest first):',
    ...report.candidates.map(
      (candidate) =>
        `  ${mark(candidate.status === 'available')}${candidate.name.padEnd(15)} ${candidate.package.padEnd(31)} ${candidate.reason}`,
    ),
    `  wasm runs on ${report.wasmThreads.auto} thread${report.wasmThreads.auto === 1 ? '' : 's'} (os.availableParallelism() = ${report.wasmThreads.availableParallelism}, at most ${report.wasmThreads.maximum}; --wasm-threads overrides)`,
    '',
    'GPU:',
    `  driver: ${report.gpu.devices ?? 'no NVIDIA driver found (nvidia-smi missing)'}`,
    ...report.gpu.libraries.map(
      (library) => `  ${mark(library.path !== null)}${library.library.padEnd(20)} ${library.path ?? 'not found'}`,
    ),
    '',
    'WebGPU adapters (Dawn):',
    ...(report.webgpu.adapters.length === 0
      ? ['  none found']
      : report.webgpu.adapters.map((adapter) => `  ${mark(!adapter.software)}${formatAdapter(adapter)}`)),
    ...(report.webgpu.advice === null ? [] : [`  to train on a GPU with webgpu: ${report.webgpu.advice}`]),
    '',
    ...(data === undefined
      ? []
      : [
          'image decoding:',
          `  ${data.jpegFastPath.ok ? 'ok  JPEG fast path (DCT-domain decode on worker threads)' : `no  JPEG fast path: ${data.jpegFastPath.reason}`}`,
          `  ok  sharp ${data.sharpVersion} (libvips ${data.libvipsVersion}) for the other formats and for JPEGs the fast path declines` +
            (data.threadPoolSize === undefined
              ? ''
              : `, ${data.threadPoolSize} at once (libuv's thread pool: set UV_THREADPOOL_SIZE before start-up)`),
          '',
        ]),
    `best backend here: ${report.best ?? 'none'}`,
  ];
  if (report.enableGpuCommand !== null) lines.push(`to enable the GPU path: ${report.enableGpuCommand}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
