import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { wholeDataset, type ImageSource, type ImageTransform } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import { findDuplicateGroups } from '../group/find-duplicate-groups';
import { hashSource, type HashEvent } from '../hash/hash-source';
import type { ImageHasher } from '../hash/image-hasher';
import { loadSemanticHasher } from '../hasher/hasher-file';
import { writeContactSheet } from '../report/contact-sheet';
import {
  buildDedupReport,
  checkDropShare,
  readDedupReport,
  writeDedupReport,
  type DedupReport,
  type DropShareCheck,
} from '../report/dedup-report';
import {
  defaultHasherEpochs,
  trainHasherFile,
  type HasherFileEvent,
  type TrainHasherFileOptions,
} from './train-hasher-file';

/**
 * The matching settings `createDedupReport` (and `dcgan-dedup`) use unless told otherwise, chosen on planted MNIST
 * digits, Breeze icons and photo tiles and checked on Fashion-MNIST, icons and clip art
 * (packages/dedup/evaluation/EVALUATION.md): Hamming radius 3, shift probes of up to 2 pixels, probe radius 0, and
 * candidates from the thumbnails' dHash within 3 bits.
 */
export const dedupRunDefaults = Object.freeze({
  radius: 3,
  shiftProbes: 2,
  probeRadius: 0,
  thumbnailHashRadius: 3,
  chunkSize: 4096,
  sheetGroups: 24,
});

/** What the files of a dedup run in `directory` are called. */
export const dedupRunFiles = Object.freeze({
  report: 'dedup-report.json',
  hasher: 'hasher.bin',
  hashes: 'hashes',
  collisions: 'collisions.png',
  largestGroups: 'largest-groups.png',
});

/** Options of {@link createDedupReport}. */
export interface CreateDedupReportOptions {
  /** The data to deduplicate. */
  readonly source: ImageSource;
  /** Decode-time transform to the hasher's input. @default the hasher's centre crop + resize + channels */
  readonly transform?: ImageTransform;
  /**
   * The folder of the run: `hasher.bin` (unless `hasher`/`hasherPath`), `hashes/` (finished chunks, for resuming),
   * `dedup-report.json`, `collisions.png` and, when the drop-share guard trips, `largest-groups.png`.
   */
  readonly directory: string;
  /** A ready hasher: nothing is trained. @default a semantic hasher trained into `hasherPath` */
  readonly hasher?: ImageHasher;
  /** The file the semantic hasher is trained into, continued from, or used from. @default `<directory>/hasher.bin` */
  readonly hasherPath?: string;
  /**
   * How the hasher is trained (ignored with `hasher`): `trainSemanticHasher`'s options, and `source`/`transform` to
   * train on another (larger) set of the same kind than the one deduplicated.
   * @default the data itself, `trainSemanticHasher`'s defaults
   */
  readonly training?: Omit<TrainHasherFileOptions, 'path' | 'onEvent' | 'signal' | 'transform'> & {
    readonly source?: ImageSource;
    readonly transform?: ImageTransform;
  };
  /** See `hashSource`. @default 2 */
  readonly shiftProbes?: number;
  /** See `findDuplicateGroups`. @default 3 */
  readonly radius?: number;
  /** See `findDuplicateGroups`. @default 0 */
  readonly probeRadius?: number;
  /** See `findDuplicateGroups` (-1: off). @default 3 */
  readonly thumbnailHashRadius?: number;
  /** Items per resumable chunk of hashes. @default 4096 */
  readonly chunkSize?: number;
  /** Discard finished chunks of hashes instead of resuming from them. @default false */
  readonly restart?: boolean;
  /** The data-loss guard recorded in the report (see `checkDropShare`). @default 0.05 */
  readonly maximumDropShare?: number;
  /** Groups drawn on each contact sheet. @default 24 */
  readonly sheetGroups?: number;
  /** Seeds the contact sheet's random choice of groups. @default 0 */
  readonly seed?: number;
  /**
   * Use `<directory>/dedup-report.json` as it is when it was made from this source (same description and item count)
   * with these settings (code bits, shift probes, radius, probe radius, thumbnail hash radius) and with the hasher at hand (the fingerprint
   * of `hasher`, or of the fully trained hasher in `hasherPath`): nothing is trained, hashed or grouped then.
   * Otherwise the run goes on as usual, resuming the hasher file and the finished hashes.
   * @default false
   */
  readonly reuse?: boolean;
  readonly onEvent?: (event: DedupRunEvent) => void;
  /**
   * Stops after the current step (hasher training) or batch (hashing); the hasher file and the finished chunks are
   * kept, and the promise rejects with a `DedupError` named `AbortError`.
   */
  readonly signal?: AbortSignal;
}

/** Progress of {@link createDedupReport}, tagged by `status`, in the order it happens. */
export type DedupRunEvent =
  | HasherFileEvent
  | { readonly status: 'report-reused'; readonly path: string; readonly report: DedupReport }
  | { readonly status: 'hashing'; readonly event: HashEvent }
  | { readonly status: 'report-written'; readonly path: string; readonly report: DedupReport }
  | {
      readonly status: 'contact-sheet';
      readonly path: string;
      readonly groups: number;
      readonly selection: 'random' | 'largest';
    }
  /** Hash buckets too full to group: the hasher gives many different images one code (see `GroupingStats`). */
  | { readonly status: 'oversized-buckets'; readonly buckets: number; readonly items: number }
  /** The report drops more than `maximumDropShare`: `sheet` draws its largest groups. */
  | { readonly status: 'drop-share-exceeded'; readonly check: DropShareCheck; readonly sheet: string };

/** What {@link createDedupReport} returns. */
export interface CreatedDedupReport {
  readonly report: DedupReport;
  /** Where the report is (`<directory>/dedup-report.json`). */
  readonly path: string;
  /** The report was already there and matched (`reuse`): nothing was computed. */
  readonly reused: boolean;
  /** The hasher the data were hashed with; `null` for a reused report. */
  readonly hasher: ImageHasher | null;
}

/**
 * Deduplicates a source end to end, as the paper did before training on LSUN (section 4.1.1): trains the semantic
 * hasher (or uses the one given), hashes every item (resumable, in `<directory>/hashes`), groups near duplicates
 * with verified, non-chaining groups, and writes `<directory>/dedup-report.json` and the contact sheets. Every stage
 * keeps its finished work on disk, so a rerun after a crash or an abort continues where it stopped. Never prints:
 * progress comes as typed events.
 *
 * @example
 * const { report, path } = await createDedupReport({ source, directory: 'runs/lsun/dedup', onEvent: console.log });
 * // train with `dedupReport: path`
 */
export async function createDedupReport(options: CreateDedupReportOptions): Promise<CreatedDedupReport> {
  const { source, directory, onEvent, signal } = options;
  const shiftProbes = options.shiftProbes ?? dedupRunDefaults.shiftProbes;
  const radius = options.radius ?? dedupRunDefaults.radius;
  const probeRadius = options.probeRadius ?? dedupRunDefaults.probeRadius;
  const thumbnailHashRadius = options.thumbnailHashRadius ?? dedupRunDefaults.thumbnailHashRadius;
  const sheetGroups = options.sheetGroups ?? dedupRunDefaults.sheetGroups;
  const reportPath = join(directory, dedupRunFiles.report);
  const hasherPath = options.hasherPath ?? join(directory, dedupRunFiles.hasher);
  try {
    await mkdir(directory, { recursive: true });
  } catch (error) {
    throw new DedupError(`cannot create the output folder ${directory}: ${(error as Error).message}`, {
      cause: error,
      file: directory,
    });
  }

  if (options.reuse === true) {
    const reusable = await reusableReport(reportPath, {
      ...options,
      shiftProbes,
      radius,
      probeRadius,
      thumbnailHashRadius,
      hasherPath,
    });
    if (reusable !== null) {
      onEvent?.({ status: 'report-reused', path: reportPath, report: reusable });
      return { report: reusable, path: reportPath, reused: true, hasher: null };
    }
  }

  let hasher = options.hasher;
  if (hasher === undefined) {
    const {
      source: trainingSource = source,
      transform: trainingTransform = options.transform,
      ...training
    } = options.training ?? {};
    const trained = await trainHasherFile(trainingSource, {
      ...training,
      ...(trainingTransform === undefined ? {} : { transform: trainingTransform }),
      path: hasherPath,
      ...(signal === undefined ? {} : { signal }),
      ...(onEvent === undefined ? {} : { onEvent }),
    });
    if (trained.aborted) {
      throw Object.assign(
        new DedupError(
          `hasher training stopped; ${hasherPath} holds the last finished epoch (${trained.epochsCompleted}); rerun to continue`,
          { file: hasherPath },
        ),
        { name: 'AbortError' },
      );
    }
    hasher = trained.hasher;
  }

  const hashes = await hashSource(source, hasher, {
    ...(options.transform === undefined ? {} : { transform: options.transform }),
    directory: join(directory, dedupRunFiles.hashes),
    restart: options.restart ?? false,
    chunkSize: options.chunkSize ?? dedupRunDefaults.chunkSize,
    shiftProbes,
    shard: wholeDataset,
    ...(signal === undefined ? {} : { signal }),
    onEvent: (event) => onEvent?.({ status: 'hashing', event }),
  });
  const groups = findDuplicateGroups(hashes, { radius, probeRadius, thumbnailHashRadius });
  const report = buildDedupReport(hashes, groups, { maximumDropShare: options.maximumDropShare });
  await writeDedupReport(reportPath, report);
  onEvent?.({ status: 'report-written', path: reportPath, report });
  if (report.groups.length > 0) {
    const sheet = await writeContactSheet(join(directory, dedupRunFiles.collisions), source, report.groups, {
      maximumGroups: sheetGroups,
      seed: options.seed ?? 0,
    });
    onEvent?.({ status: 'contact-sheet', path: sheet.path, groups: sheet.groups.length, selection: 'random' });
  }
  if (report.grouping.oversizedBuckets > 0)
    onEvent?.({
      status: 'oversized-buckets',
      buckets: report.grouping.oversizedBuckets,
      items: report.grouping.itemsInOversizedBuckets,
    });
  const check = checkDropShare(report, options.maximumDropShare);
  if (check.exceeded) {
    const sheet = await writeContactSheet(join(directory, dedupRunFiles.largestGroups), source, report.groups, {
      maximumGroups: sheetGroups,
      selection: 'largest',
    });
    onEvent?.({ status: 'contact-sheet', path: sheet.path, groups: sheet.groups.length, selection: 'largest' });
    onEvent?.({ status: 'drop-share-exceeded', check, sheet: sheet.path });
  }
  return { report, path: reportPath, reused: false, hasher };
}

/** The report at `path` when it was made from this source with these settings and this hasher; `null` otherwise. */
async function reusableReport(
  path: string,
  options: CreateDedupReportOptions & {
    readonly shiftProbes: number;
    readonly radius: number;
    readonly probeRadius: number;
    readonly thumbnailHashRadius: number;
    readonly hasherPath: string;
  },
): Promise<DedupReport | null> {
  if (
    !(await access(path).then(
      () => true,
      () => false,
    ))
  )
    return null;
  const report = await readDedupReport(path);
  const { source } = options;
  const sameData =
    report.source.description === source.description &&
    (source.length === undefined || report.source.itemsRead === source.length);
  const sameSettings =
    report.hasher.shiftProbes === options.shiftProbes &&
    report.grouping.radius === options.radius &&
    report.grouping.probeRadius === options.probeRadius &&
    (report.grouping.thumbnailHashRadius ?? -1) === options.thumbnailHashRadius;
  if (!sameData || !sameSettings) return null;
  if (options.hasher !== undefined)
    return (await options.hasher.fingerprint()) === report.hasher.fingerprint &&
      options.hasher.codeBits === report.hasher.codeBits
      ? report
      : null;
  if (
    !(await access(options.hasherPath).then(
      () => true,
      () => false,
    ))
  )
    return null;
  const architecture = options.training?.architecture ?? {};
  const hasher = await loadSemanticHasher(options.hasherPath, architecture);
  try {
    const trained = Number(hasher.training.epochs ?? 0) >= (options.training?.epochs ?? defaultHasherEpochs);
    return trained &&
      (await hasher.fingerprint()) === report.hasher.fingerprint &&
      hasher.codeBits === report.hasher.codeBits
      ? report
      : null;
  } finally {
    hasher.dispose();
  }
}
