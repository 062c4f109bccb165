import { isAbsolute, relative } from 'node:path';

import type { FaceDatasetSummary } from '@dcgan/faces';

/** The end-of-run report a person reads: counts, rejections by reason, unreadable files, and where things are. */
export function formatSummary(summary: FaceDatasetSummary, workingDirectory = process.cwd()): string {
  const path = (file: string) => {
    const nearby = relative(workingDirectory, file);
    return nearby === '' ? '.' : nearby.startsWith('..') || isAbsolute(nearby) ? file : nearby;
  };
  const rejected = Object.values(summary.rejected).reduce((sum, value) => sum + value, 0);
  const reasons = Object.entries(summary.rejected)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  const listed = summary.photosListed === undefined ? '' : `${summary.photosListed} listed, `;
  const lines = [
    summary.interrupted ? 'Interrupted: run the same command again to resume.' : 'Done.',
    `Photos:        ${listed}${summary.photosRead} read, ${summary.unreadable.length} unreadable (${summary.photosResumed} done by an earlier run)`,
    `Faces:         ${summary.facesFound} found, ${summary.facesKept} kept, ${rejected} rejected (${reasons})`,
  ];
  if (summary.unreadable.length > 0) {
    lines.push('Unreadable files:');
    for (const { file, reason } of summary.unreadable) lines.push(`  ${file}: ${reason}`);
  }
  lines.push(
    `Crops:         ${path(summary.files.crops)}/ (${summary.settings.imageSize}x${summary.settings.imageSize} PNG)`,
    `Boxes:         ${path(summary.files.boxesCsv)}, ${path(summary.files.boxesJson)}`,
    `Contact sheet: ${path(summary.files.contactSheet)}`,
    `Detections:    ${path(summary.files.detections)}`,
  );
  return lines.join('\n');
}
