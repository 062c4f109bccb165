import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { formatShard, isWholeDataset, shardDirectory, shardItemCount, wholeDataset, type ImageSource, type ImageTransform, type Shard } from '@dcgan/data';
import {
  buildDedupReport,
  findDuplicateGroups,
  hashSource,
  writeContactSheet,
  writeDedupReport,
  type DedupReport,
  type ImageHasher,
  type SourceHashes,
} from '@dcgan/dedup';

import type { DedupArguments } from '../arguments.js';
import { ProgressBar } from '../progress-bar.js';

/** Hashes `shard` of the source into `directory` (resuming), drawing a progress bar. */
async function hashWithProgress(arguments_: DedupArguments, source: ImageSource, transform: ImageTransform, hasher: ImageHasher, directory: string, shard: Shard, signal: AbortSignal): Promise<SourceHashes> {
  const whole = isWholeDataset(shard);
  const bar = new ProgressBar({ total: source.length === undefined ? undefined : shardItemCount(source.length, shard), label: whole ? 'hash' : `hash ${formatShard(shard)}` });
  const hashes = await hashSource(source, hasher, {
    transform,
    directory,
    restart: arguments_.restart,
    chunkSize: arguments_.chunkSize,
    shiftProbes: arguments_.shiftProbes,
    ...(whole ? {} : { shard }),
    signal,
    onEvent: (event) => {
      if (event.status === 'start' && event.resumedFrom > 0) bar.log(`resuming after ${event.resumedFrom} items (${event.chunksLoaded} finished chunks)`);
      else if (event.status === 'progress') bar.update(event.itemsRead, `${event.imagesPerSecond.toFixed(0)} img/s, ${event.skippedCount} skipped`);
      else if (event.status === 'skipped') bar.log(`skipped ${event.key}: ${event.reason}`);
    },
  });
  bar.update(hashes.itemsRead, 'done');
  bar.finish();
  return hashes;
}

/** `hash --shard i/N`: hashes the shard into `<out>/shards/shard-0000i-of-0000N` (resuming) and stops; `merge` reports. */
export async function hashShard(arguments_: DedupArguments, source: ImageSource, transform: ImageTransform, hasher: ImageHasher, out: string, signal: AbortSignal): Promise<void> {
  const directory = shardDirectory(out, arguments_.shard);
  const hashes = await hashWithProgress(arguments_, source, transform, hasher, directory, arguments_.shard, signal);
  process.stdout.write(`shard ${formatShard(arguments_.shard)}: ${hashes.itemsRead} items (${hashes.count} hashed, ${hashes.skipped.length} skipped) in ${directory}; run \`dcgan-dedup merge\` once every shard is done\n`);
}

/** Hashes the source into `<out>/hashes` (resuming), groups, and writes the report and contact sheet. */
export async function hashAndReport(arguments_: DedupArguments, source: ImageSource, transform: ImageTransform, hasher: ImageHasher, out: string, signal: AbortSignal): Promise<DedupReport> {
  await mkdir(out, { recursive: true });
  const hashes = await hashWithProgress(arguments_, source, transform, hasher, join(out, 'hashes'), wholeDataset, signal);
  const groups = findDuplicateGroups(hashes, { radius: arguments_.radius, ...(arguments_.probeRadius === undefined ? {} : { probeRadius: arguments_.probeRadius }) });
  const report = buildDedupReport(hashes, groups);
  const reportPath = join(out, 'dedup-report.json');
  await writeDedupReport(reportPath, report);
  const { counts, grouping } = report;
  process.stdout.write(
    `${counts.items} items: ${counts.hashed} hashed, ${counts.skipped} skipped; ${counts.groups} duplicate groups holding ${counts.inGroups} items; ` +
      `${counts.dropped} dropped, ${counts.kept} kept\n` +
      `grouping: radius ${grouping.radius}, ${grouping.parts} part(s), ${grouping.candidatePairs} candidate pairs, ${grouping.matchedPairs} matches, ${grouping.seconds.toFixed(2)} s\n` +
      `report: ${reportPath}\n`,
  );
  if (report.groups.length > 0) {
    const sheet = await writeContactSheet(join(out, 'collisions.png'), source, report.groups, { maximumGroups: arguments_.sheetGroups, seed: arguments_.seed });
    process.stdout.write(`contact sheet (${sheet.groups.length} random groups, kept item framed green): ${sheet.path}\n`);
  }
  return report;
}
