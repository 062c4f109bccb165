import { ProgressBar } from '@dcgan/cli';
import {
  formatShard,
  isWholeDataset,
  shardDirectory,
  shardItemCount,
  wholeDataset,
  type ImageSource,
  type ImageTransform,
  type Shard,
} from '@dcgan/data';
import {
  createDedupReport,
  hashSource,
  type CreateDedupReportOptions,
  type DedupReport,
  type DedupRunEvent,
  type HashEvent,
  type ImageHasher,
} from '@dcgan/dedup';

import type { DedupArguments } from '../arguments.js';
import { hasherSteps, hasherTraining, renderHasherEvents } from './train-command.js';

/** Draws hashing progress on a bar over `shard` of the source, and ends the bar (`finish`) when hashing fails. */
function renderHashEvents(
  source: ImageSource,
  shard: Shard,
): { onEvent: (event: HashEvent) => void; finish: () => void } {
  const whole = isWholeDataset(shard);
  let bar: ProgressBar | undefined;
  return {
    onEvent: (event) => {
      bar ??= new ProgressBar({
        total: source.length === undefined ? undefined : shardItemCount(source.length, shard),
        label: whole ? 'hash' : `hash ${formatShard(shard)}`,
      });
      if (event.status === 'start' && event.resumedFrom > 0)
        bar.log(`resuming after ${event.resumedFrom} items (${event.chunksLoaded} finished chunks)`);
      else if (event.status === 'progress')
        bar.update(event.itemsRead, `${event.imagesPerSecond.toFixed(0)} img/s, ${event.skippedCount} skipped`);
      else if (event.status === 'skipped') bar.log(`skipped ${event.key}: ${event.reason}`);
      else if (event.status === 'done') {
        bar.update(event.itemsRead, 'done');
        bar.finish();
      }
    },
    finish: () => bar?.finish(),
  };
}

/** `hash --shard i/N`: hashes the shard into `<out>/shards/shard-0000i-of-0000N` (resuming) and stops; `merge` reports. */
export async function hashShard(
  arguments_: DedupArguments,
  source: ImageSource,
  transform: ImageTransform,
  hasher: ImageHasher,
  out: string,
  signal: AbortSignal,
): Promise<void> {
  const directory = shardDirectory(out, arguments_.shard);
  const progress = renderHashEvents(source, arguments_.shard);
  let hashes: Awaited<ReturnType<typeof hashSource>>;
  try {
    hashes = await hashSource(source, hasher, {
      transform,
      directory,
      restart: arguments_.restart,
      chunkSize: arguments_.chunkSize,
      shiftProbes: arguments_.shiftProbes,
      shard: arguments_.shard,
      signal,
      onEvent: progress.onEvent,
    });
  } finally {
    progress.finish();
  }
  process.stdout.write(
    `shard ${formatShard(arguments_.shard)}: ${hashes.itemsRead} items (${hashes.count} hashed, ${hashes.skipped.length} skipped) in ${directory}; run \`dcgan-dedup merge\` once every shard is done\n`,
  );
}

/** Draws the events of a whole dedup run (hasher, hashing, report, sheets, warnings) as the command line shows them. */
function renderDedupEvents(
  arguments_: DedupArguments,
  source: ImageSource,
  trainingSource: ImageSource,
): { onEvent: (event: DedupRunEvent) => void; finish: () => void } {
  const hashing = renderHashEvents(source, wholeDataset);
  const hasher = renderHasherEvents(hasherSteps(arguments_, trainingSource));
  const onEvent = (event: DedupRunEvent): void => {
    switch (event.status) {
      case 'hasher-file':
      case 'hasher-training':
      case 'hasher-stopped':
        hasher(event);
        return;
      case 'hashing':
        hashing.onEvent(event.event);
        return;
      case 'report-reused':
        process.stdout.write(`report: ${event.path} (reused)\n`);
        return;
      case 'report-written': {
        const { counts, grouping } = event.report;
        process.stdout.write(
          `${counts.items} items: ${counts.hashed} hashed, ${counts.skipped} skipped; ${counts.groups} duplicate groups holding ${counts.inGroups} items; ` +
            `${counts.dropped} dropped, ${counts.kept} kept\n` +
            `grouping: radius ${grouping.radius}, ${grouping.parts} part(s), ${grouping.candidatePairs} candidate pairs, ${grouping.matchedPairs} code matches` +
            ((grouping.thumbnailHashRadius ?? -1) >= 0
              ? `, ${grouping.thumbnailHashPairs ?? 0} thumbnail dHash pairs (radius ${grouping.thumbnailHashRadius})`
              : '') +
            `, ${grouping.matchingSeconds.toFixed(2)} s\n` +
            (grouping.verification === null
              ? ''
              : `verification: ${grouping.verification.checkedPairs} pairs compared on ${grouping.verification.thumbnailSize}x${grouping.verification.thumbnailSize} thumbnails, ${grouping.verification.acceptedPairs} accepted, ${grouping.verification.seconds.toFixed(2)} s\n`) +
            `report: ${event.path}\n`,
        );
        return;
      }
      case 'contact-sheet':
        if (event.selection === 'random')
          process.stdout.write(
            `contact sheet (${event.groups} random groups, kept item framed green): ${event.path}\n`,
          );
        return;
      case 'oversized-buckets':
        process.stderr.write(
          `warning: ${event.buckets} hash bucket(s) held more than 32 items each (${event.items} items) and were left ungrouped: ` +
            `the hasher gives many different images the same code (dead bits), so duplicates among them are not found. Train it on more images of this kind (--train-data).\n`,
        );
        return;
      case 'drop-share-exceeded': {
        const { check } = event;
        const rule = '!'.repeat(100);
        process.stderr.write(
          `${rule}\n` +
            `WARNING: this report would drop ${check.dropped} of ${check.hashed} images (${(100 * check.dropShare).toFixed(1)}%), more than --max-drop-share ${check.maximumDropShare}.\n` +
            `That is far more than real near-duplicates usually are: look at the largest groups before training on it.\n` +
            `Largest groups:\n${check.largestGroups
              .map(
                (group) =>
                  `  ${group.dropped.length + 1} items, kept ${group.kept.key}, e.g. dropped ${group.dropped
                    .slice(0, 3)
                    .map((item) => item.key)
                    .join(', ')}`,
              )
              .join('\n')}\n` +
            `Contact sheet of the largest groups: ${event.sheet}\n` +
            `The report records this (guard.exceeded); dcgan-train --dedup-report refuses it unless given --accept-dedup-drop.\n` +
            `A hasher trained on too few images (see --train-data) is the usual cause.\n` +
            `${rule}\n`,
        );
        return;
      }
    }
  };
  return { onEvent, finish: hashing.finish };
}

/**
 * `run`, `hash` and `merge`: `createDedupReport` of @dcgan/dedup with the command line's settings, drawn on the
 * terminal. With `hasher`, nothing is trained; without, the hasher is trained into (or continued from, or used from)
 * `hasherPath` on `training` (default: the data).
 */
export async function dedupWithProgress(
  arguments_: DedupArguments,
  data: { readonly source: ImageSource; readonly transform: ImageTransform },
  out: string,
  signal: AbortSignal,
  hasher:
    | { readonly hasher: ImageHasher }
    | {
        readonly hasherPath: string;
        readonly training: { readonly source: ImageSource; readonly transform: ImageTransform };
      },
): Promise<DedupReport> {
  const trainingSource = 'training' in hasher ? hasher.training.source : data.source;
  const progress = renderDedupEvents(arguments_, data.source, trainingSource);
  const options: CreateDedupReportOptions = {
    source: data.source,
    transform: data.transform,
    directory: out,
    ...('hasher' in hasher
      ? { hasher: hasher.hasher }
      : {
          hasherPath: hasher.hasherPath,
          training: {
            ...hasherTraining(arguments_),
            source: hasher.training.source,
            transform: hasher.training.transform,
          },
        }),
    shiftProbes: arguments_.shiftProbes,
    radius: arguments_.radius,
    probeRadius: arguments_.probeRadius,
    thumbnailHashRadius: arguments_.thumbnailHashRadius,
    chunkSize: arguments_.chunkSize,
    restart: arguments_.restart,
    maximumDropShare: arguments_.maximumDropShare,
    sheetGroups: arguments_.sheetGroups,
    seed: arguments_.seed,
    signal,
    onEvent: progress.onEvent,
  };
  try {
    return (await createDedupReport(options)).report;
  } finally {
    progress.finish();
  }
}

/** Hashes the source into `<out>/hashes` (resuming), groups, and writes the report and contact sheet. */
export function hashAndReport(
  arguments_: DedupArguments,
  source: ImageSource,
  transform: ImageTransform,
  hasher: ImageHasher,
  out: string,
  signal: AbortSignal,
): Promise<DedupReport> {
  return dedupWithProgress(arguments_, { source, transform }, out, signal, { hasher });
}
