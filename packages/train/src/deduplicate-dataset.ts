import type { OpenedDataset } from '@dcgan/data';
import {
  assertDropShareAccepted,
  createDeduplicatedSource,
  DedupError,
  readDedupReport,
  type DedupReport,
} from '@dcgan/dedup';

export interface DeduplicatedDataset {
  /** The dataset without the report's dropped items (same format and transform). */
  readonly dataset: OpenedDataset;
  /** Items the report drops. */
  readonly dropped: number;
  /** Items of the source the report was made from (hashed + skipped). */
  readonly items: number;
}

/**
 * Reads a `@dcgan/dedup` report and wraps the opened dataset so that the items it drops are never trained on.
 * Fails with a DedupError naming `reportPath` when the report is malformed, was made from another source, or drops more
 * than 5% of the data (unless `acceptDrop`: `train`'s `acceptDedupDrop`).
 */
export async function deduplicateDataset(
  dataset: OpenedDataset,
  reportPath: string,
  acceptDrop = false,
): Promise<DeduplicatedDataset> {
  const report = await readDedupReport(reportPath);
  assertWellFormedGroups(report, reportPath);
  let source: Awaited<ReturnType<typeof createDeduplicatedSource>>;
  try {
    source = await createDeduplicatedSource(dataset.source, report);
  } catch (error) {
    if (DedupError.isInstance(error))
      throw new DedupError(`${reportPath}: ${error.message}`, { cause: error, file: reportPath });
    throw error;
  }
  // The data-loss guard, once the report is known to fit this data.
  try {
    assertDropShareAccepted(report, { file: reportPath, accept: acceptDrop });
  } catch (error) {
    if (DedupError.isInstance(error))
      throw new DedupError(
        `${error.message}; set \`acceptDedupDrop\` (dcgan-train: --accept-dedup-drop) to train on it anyway`,
        { cause: error, file: reportPath },
      );
    throw error;
  }
  return {
    dataset: {
      ...dataset,
      source,
      description: `${dataset.description}; ${report.source.itemsRead - report.counts.dropped} used, ${report.counts.dropped} duplicate(s) left out`,
    },
    dropped: report.counts.dropped,
    items: report.source.itemsRead,
  };
}

/**
 * `readDedupReport` checks the report's header only; the groups decide which items are dropped, so a report
 * cut or edited by hand must fail here rather than drop the wrong items.
 */
function assertWellFormedGroups(report: DedupReport, path: string): void {
  const itemsRead = report.source.itemsRead;
  const fail = (what: string): never => {
    throw new DedupError(`${path}: the dedup report is malformed: ${what}`, { file: path });
  };
  if (!Number.isInteger(itemsRead) || itemsRead < 0)
    fail(`expected \`source.itemsRead\` to be an integer >= 0, got \`${String(itemsRead)}\``);
  const isItem = (item: unknown): boolean => {
    const candidate = item as { index?: unknown; key?: unknown } | null;
    return (
      typeof candidate === 'object' &&
      candidate !== null &&
      Number.isInteger(candidate.index) &&
      (candidate.index as number) >= 0 &&
      (candidate.index as number) < itemsRead &&
      typeof candidate.key === 'string'
    );
  };
  const seen = new Set<number>();
  let dropped = 0;
  report.groups.forEach((group, position) => {
    if (typeof group !== 'object' || group === null || !isItem(group.kept) || !Array.isArray(group.dropped)) {
      fail(`group ${position} needs \`kept\` {index < ${itemsRead}, key} and a \`dropped\` list`);
    }
    for (const item of group.dropped) {
      if (!isItem(item))
        fail(`group ${position} drops ${JSON.stringify(item)}, not an {index < ${itemsRead}, key} item`);
      if (seen.has(item.index)) fail(`item ${item.index} is dropped twice`);
      seen.add(item.index);
      dropped += 1;
    }
  });
  if (dropped !== report.counts.dropped)
    fail(`\`counts.dropped\` is ${report.counts.dropped} but the groups drop ${dropped} items`);
}
