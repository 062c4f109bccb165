import { readFile } from 'node:fs/promises';

import { writeFileAtomic } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import type { DuplicateGroups, GroupingStats } from '../group/duplicate-groups';
import type { SkippedSourceItem, SourceHashes } from '../hash/hash-source';

/** An item named by its position in the source (storage order) and its key. */
export interface ReportItem {
  readonly index: number;
  readonly key: string;
}

/** One duplicate group: the item kept and the items dropped. */
export interface ReportGroup {
  readonly kept: ReportItem;
  readonly dropped: readonly ReportItem[];
}

/** The outcome of deduplicating a source; JSON-serialisable (see {@link writeDedupReport}). */
export interface DedupReport {
  readonly format: 'dcgan-dedup-report';
  readonly version: 1;
  readonly source: { readonly description: string; readonly itemsRead: number };
  readonly hasher: {
    readonly kind: string;
    readonly fingerprint: string;
    readonly codeBits: number;
    readonly shiftProbes: number;
  };
  readonly grouping: GroupingStats;
  readonly counts: {
    /** Items read from the source. */
    readonly items: number;
    readonly hashed: number;
    /** Undecodable or wrongly shaped items (listed in `skipped`). */
    readonly skipped: number;
    readonly groups: number;
    /** Items that are in some group. */
    readonly inGroups: number;
    readonly dropped: number;
    /** Hashed items left after dropping: hashed - dropped. */
    readonly kept: number;
  };
  /**
   * The data-loss guard at the time the report was built: `exceeded` when more than `maximumDropShare` of the hashed
   * items would be dropped (see {@link checkDropShare}). Absent in reports of older versions.
   */
  readonly guard?: { readonly maximumDropShare: number; readonly dropShare: number; readonly exceeded: boolean };
  /** Groups, largest first (ties by first index). */
  readonly groups: readonly ReportGroup[];
  readonly skipped: readonly SkippedSourceItem[];
}

/**
 * Turns groups into a report. In each group the item that comes first in the source is kept and the others are
 * dropped, so the result does not depend on hashing order and a rerun drops the same items.
 *
 * @example
 * const report = buildDedupReport(hashes, findDuplicateGroups(hashes));
 * console.log(`${report.counts.dropped} of ${report.counts.items} dropped`);
 */
export function buildDedupReport(
  hashes: SourceHashes,
  groups: DuplicateGroups,
  options: { readonly maximumDropShare?: number } = {},
): DedupReport {
  const maximumDropShare = resolveMaximumDropShare(options.maximumDropShare);
  if (groups.itemCount !== hashes.count)
    throw new DedupError(`Expected groups over the ${hashes.count} hashed items, got groups over ${groups.itemCount}`);
  const reportGroups: ReportGroup[] = [];
  let inGroups = 0;
  for (let group = 0; group < groups.groupCount; group += 1) {
    const members = Array.from(
      groups.members.subarray(groups.groupStarts[group]!, groups.groupStarts[group + 1]!),
      (position) => ({
        index: hashes.indices[position]!,
        key: hashes.keys[position]!,
      }),
    ).sort((left, right) => left.index - right.index);
    inGroups += members.length;
    reportGroups.push({ kept: members[0]!, dropped: members.slice(1) });
  }
  reportGroups.sort((left, right) => right.dropped.length - left.dropped.length || left.kept.index - right.kept.index);
  const dropped = inGroups - reportGroups.length;
  const dropShare = hashes.count === 0 ? 0 : dropped / hashes.count;
  return {
    format: 'dcgan-dedup-report',
    version: 1,
    source: { description: hashes.sourceDescription, itemsRead: hashes.itemsRead },
    hasher: {
      kind: hashes.hasherKind,
      fingerprint: hashes.fingerprint,
      codeBits: hashes.codeBits,
      shiftProbes: hashes.shiftProbes,
    },
    grouping: groups.stats,
    counts: {
      items: hashes.itemsRead,
      hashed: hashes.count,
      skipped: hashes.skipped.length,
      groups: reportGroups.length,
      inGroups,
      dropped,
      kept: hashes.count - dropped,
    },
    guard: { maximumDropShare, dropShare, exceeded: dropShare > maximumDropShare },
    groups: reportGroups,
    skipped: hashes.skipped,
  };
}

/** The share of the data a report may drop before {@link checkDropShare} flags it: 5%. */
export const defaultMaximumDropShare = 0.05;

function resolveMaximumDropShare(value: number | undefined): number {
  const share = value ?? defaultMaximumDropShare;
  if (!(Number.isFinite(share) && share >= 0 && share <= 1))
    throw new DedupError(`Expected \`maximumDropShare\` to be a number in [0, 1], got \`${String(value)}\``);
  return share;
}

/** The outcome of {@link checkDropShare}. */
export interface DropShareCheck {
  /** dropped / hashed items (0 for an empty report). */
  readonly dropShare: number;
  readonly maximumDropShare: number;
  readonly dropped: number;
  readonly hashed: number;
  /** True when the report drops more than `maximumDropShare` of the data. */
  readonly exceeded: boolean;
  /** Up to 5 of the largest groups, largest first (what to look at first). */
  readonly largestGroups: readonly ReportGroup[];
}

/**
 * The data-loss guard: how much of the data a report drops, and whether that is more than `maximumDropShare`
 * (default 5%). A real near-duplicate rate is usually a few percent; a report that drops much more usually comes
 * from a bad hasher or too loose settings, and should be looked at (the largest groups, the contact sheet) before
 * training on it. Computed from the report's groups, not from its recorded guard.
 *
 * @example
 * const check = checkDropShare(report);
 * if (check.exceeded) console.warn(`${(100 * check.dropShare).toFixed(1)}% of the data would be dropped`);
 */
export function checkDropShare(report: DedupReport, maximumDropShare?: number): DropShareCheck {
  const maximum = resolveMaximumDropShare(maximumDropShare);
  const dropped = report.groups.reduce((sum, group) => sum + group.dropped.length, 0);
  const hashed = report.counts.hashed;
  const dropShare = hashed > 0 ? dropped / hashed : 0;
  const largestGroups = [...report.groups]
    .sort((left, right) => right.dropped.length - left.dropped.length || left.kept.index - right.kept.index)
    .slice(0, 5);
  return { dropShare, maximumDropShare: maximum, dropped, hashed, exceeded: dropShare > maximum, largestGroups };
}

/**
 * Throws a {@link DedupError} (naming `file` when given) when the report drops more than `maximumDropShare` of the
 * data, unless `accept` is set; returns the check otherwise. For trainers that take a report: a report that would
 * throw away a large part of the data must be accepted explicitly.
 *
 * @example
 * assertDropShareAccepted(report, { file: 'runs/x/dedup-report.json', accept: options.acceptDedupDrop });
 */
export function assertDropShareAccepted(
  report: DedupReport,
  options: { readonly maximumDropShare?: number; readonly accept?: boolean; readonly file?: string } = {},
): DropShareCheck {
  const check = checkDropShare(report, options.maximumDropShare);
  if (check.exceeded && options.accept !== true) {
    const largest = check.largestGroups
      .map((group) => `${group.dropped.length + 1} items kept as ${group.kept.key}`)
      .join('; ');
    throw new DedupError(
      `${options.file === undefined ? '' : `${options.file}: `}the dedup report drops ${check.dropped} of ${check.hashed} items (${(100 * check.dropShare).toFixed(1)}%), more than the ${(100 * check.maximumDropShare).toFixed(1)}% allowed; ` +
        `largest groups: ${largest}. Look at its contact sheet; accept the drop explicitly only if these really are duplicates`,
      options.file === undefined ? {} : { file: options.file },
    );
  }
  return check;
}

/** Source indices of every dropped item, ascending. */
export function droppedIndices(report: DedupReport): Int32Array {
  const indices = new Int32Array(report.counts.dropped);
  let position = 0;
  for (const group of report.groups) for (const item of group.dropped) indices[position++] = item.index;
  return indices.sort();
}

/**
 * Writes the report as JSON, atomically.
 *
 * @example
 * await writeDedupReport('runs/lsun/dedup-report.json', report);
 */
export async function writeDedupReport(path: string, report: DedupReport): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(report)}\n`));
}

/**
 * Reads a report written by {@link writeDedupReport}, refusing anything else with an error naming the file.
 *
 * @example
 * const report = await readDedupReport('runs/lsun/dedup-report.json');
 */
export async function readDedupReport(path: string): Promise<DedupReport> {
  let report: Partial<DedupReport>;
  try {
    report = JSON.parse(await readFile(path, 'utf8')) as Partial<DedupReport>;
  } catch (error) {
    throw new DedupError(`${path}: cannot read the dedup report: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  if (report?.format !== 'dcgan-dedup-report')
    throw new DedupError(`${path}: not a dedup report (no \`format: "dcgan-dedup-report"\`)`, { file: path });
  if (report.version !== 1)
    throw new DedupError(
      `${path}: dedup report version ${String(report.version)} is not supported; this @dcgan/dedup reads version 1`,
      { file: path },
    );
  if (
    !Array.isArray(report.groups) ||
    typeof report.counts?.dropped !== 'number' ||
    typeof report.source?.itemsRead !== 'number'
  ) {
    throw new DedupError(`${path}: the dedup report is incomplete (groups, counts or source missing)`, { file: path });
  }
  return report as DedupReport;
}
