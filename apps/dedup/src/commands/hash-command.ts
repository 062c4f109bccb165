import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { ProgressBar } from '@dcgan/cli';
import { formatShard, isWholeDataset, shardDirectory, shardItemCount, wholeDataset, type ImageSource, type ImageTransform, type Shard } from '@dcgan/data';
import {
  buildDedupReport,
  checkDropShare,
  findDuplicateGroups,
  hashSource,
  writeContactSheet,
  writeDedupReport,
  type DedupReport,
  type ImageHasher,
  type SourceHashes,
} from '@dcgan/dedup';

import type { DedupArguments } from '../arguments.js';

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
  const groups = findDuplicateGroups(hashes, { radius: arguments_.radius, probeRadius: arguments_.probeRadius });
  const report = buildDedupReport(hashes, groups, { maximumDropShare: arguments_.maximumDropShare });
  const reportPath = join(out, 'dedup-report.json');
  await writeDedupReport(reportPath, report);
  const { counts, grouping } = report;
  process.stdout.write(
    `${counts.items} items: ${counts.hashed} hashed, ${counts.skipped} skipped; ${counts.groups} duplicate groups holding ${counts.inGroups} items; ` +
      `${counts.dropped} dropped, ${counts.kept} kept\n` +
      `grouping: radius ${grouping.radius}, ${grouping.parts} part(s), ${grouping.candidatePairs} candidate pairs, ${grouping.matchedPairs} code matches, ${grouping.matchingSeconds.toFixed(2)} s\n` +
      (grouping.verification === null
        ? ''
        : `verification: ${grouping.verification.checkedPairs} pairs compared on ${grouping.verification.thumbnailSize}x${grouping.verification.thumbnailSize} thumbnails, ${grouping.verification.acceptedPairs} accepted, ${grouping.verification.seconds.toFixed(2)} s\n`) +
      `report: ${reportPath}\n`,
  );
  if (report.groups.length > 0) {
    const sheet = await writeContactSheet(join(out, 'collisions.png'), source, report.groups, { maximumGroups: arguments_.sheetGroups, seed: arguments_.seed });
    process.stdout.write(`contact sheet (${sheet.groups.length} random groups, kept item framed green): ${sheet.path}\n`);
  }
  if (grouping.oversizedBuckets > 0) {
    process.stderr.write(
      `warning: ${grouping.oversizedBuckets} hash bucket(s) held more than 32 items each (${grouping.itemsInOversizedBuckets} items) and were left ungrouped: ` +
        `the hasher gives many different images the same code (dead bits), so duplicates among them are not found. Train it on more images of this kind (--train-data).\n`,
    );
  }
  const check = checkDropShare(report, arguments_.maximumDropShare);
  if (check.exceeded) {
    const sheet = await writeContactSheet(join(out, 'largest-groups.png'), source, report.groups, { maximumGroups: arguments_.sheetGroups, selection: 'largest' });
    const rule = '!'.repeat(100);
    process.stderr.write(
      `${rule}\n` +
        `WARNING: this report would drop ${check.dropped} of ${check.hashed} images (${(100 * check.dropShare).toFixed(1)}%), more than --max-drop-share ${check.maximumDropShare}.\n` +
        `That is far more than real near-duplicates usually are: look at the largest groups before training on it.\n` +
        `Largest groups:\n${check.largestGroups.map((group) => `  ${group.dropped.length + 1} items, kept ${group.kept.key}, e.g. dropped ${group.dropped.slice(0, 3).map((item) => item.key).join(', ')}`).join('\n')}\n` +
        `Contact sheet of the largest groups: ${sheet.path}\n` +
        `The report records this (guard.exceeded); dcgan-train --dedup-report refuses it unless given --accept-dedup-drop.\n` +
        `A hasher trained on too few images (see --train-data) is the usual cause.\n` +
        `${rule}\n`,
    );
  }
  return report;
}
