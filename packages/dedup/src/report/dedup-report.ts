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
  readonly hasher: { readonly kind: string; readonly fingerprint: string; readonly codeBits: number; readonly shiftProbes: number };
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
export function buildDedupReport(hashes: SourceHashes, groups: DuplicateGroups): DedupReport {
  if (groups.itemCount !== hashes.count) throw new DedupError(`Expected groups over the ${hashes.count} hashed items, got groups over ${groups.itemCount}`);
  const reportGroups: ReportGroup[] = [];
  let inGroups = 0;
  for (let group = 0; group < groups.groupCount; group += 1) {
    const members = Array.from(groups.members.subarray(groups.groupStarts[group]!, groups.groupStarts[group + 1]!), (position) => ({
      index: hashes.indices[position]!,
      key: hashes.keys[position]!,
    })).sort((left, right) => left.index - right.index);
    inGroups += members.length;
    reportGroups.push({ kept: members[0]!, dropped: members.slice(1) });
  }
  reportGroups.sort((left, right) => right.dropped.length - left.dropped.length || left.kept.index - right.kept.index);
  const dropped = inGroups - reportGroups.length;
  return {
    format: 'dcgan-dedup-report',
    version: 1,
    source: { description: hashes.sourceDescription, itemsRead: hashes.itemsRead },
    hasher: { kind: hashes.hasherKind, fingerprint: hashes.fingerprint, codeBits: hashes.codeBits, shiftProbes: hashes.shiftProbes },
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
    groups: reportGroups,
    skipped: hashes.skipped,
  };
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
    throw new DedupError(`${path}: cannot read the dedup report: ${(error as Error).message}`, { cause: error, file: path });
  }
  if (report?.format !== 'dcgan-dedup-report') throw new DedupError(`${path}: not a dedup report (no \`format: "dcgan-dedup-report"\`)`, { file: path });
  if (report.version !== 1) throw new DedupError(`${path}: dedup report version ${String(report.version)} is not supported; this @dcgan/dedup reads version 1`, { file: path });
  if (!Array.isArray(report.groups) || typeof report.counts?.dropped !== 'number' || typeof report.source?.itemsRead !== 'number') {
    throw new DedupError(`${path}: the dedup report is incomplete (groups, counts or source missing)`, { file: path });
  }
  return report as DedupReport;
}
