import type { DiagnosisReport } from '@dcgan/backend';

/** Renders `diagnose()`'s findings for `dcgan-train --doctor`. */
export function formatDoctorReport(report: DiagnosisReport): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'no  ');
  const lines = [
    'dcgan-train doctor',
    `  node ${report.node.version} on ${report.platform}; tfjs-core ${report.tfjsCoreVersion}${report.node.note === 'ok' ? '' : ` (${report.node.note})`}`,
    '',
    'backends (fastest first):',
    ...report.candidates.map((candidate) => `  ${mark(candidate.status === 'available')}${candidate.name.padEnd(15)} ${candidate.package.padEnd(30)} ${candidate.reason}`),
    '',
    'GPU:',
    `  driver: ${report.gpu.devices ?? 'no NVIDIA driver found (nvidia-smi missing)'}`,
    ...report.gpu.libraries.map((library) => `  ${mark(library.path !== null)}${library.library.padEnd(20)} ${library.path ?? 'not found'}`),
    '',
    `best backend here: ${report.best ?? 'none'}`,
  ];
  if (report.enableGpuCommand !== null) lines.push(`to enable the GPU path: ${report.enableGpuCommand}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
