import { defineSource, type ImageSource, type LabelledImageSource } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import { droppedIndices, type DedupReport } from './dedup-report';

/**
 * The source without the items a report dropped (duplicates; skipped undecodable items stay and are skipped by
 * the pipeline as usual), for `createBatches` and the trainer. Random access is kept: item `i` of the view is the
 * `i`-th kept item. The report must have been made from this source: its length must match, and the keys of the
 * dropped items are checked.
 *
 * @example
 * const source = await createDeduplicatedSource(await openMnistPackage(), await readDedupReport('report.json'));
 * for await (const batch of createBatches(source, { batchSize: 64 })) train(batch);
 */
export async function createDeduplicatedSource(source: ImageSource, report: DedupReport): Promise<ImageSource> {
  const itemsRead = report.source.itemsRead;
  if (source.length !== undefined && source.length !== itemsRead) {
    throw new DedupError(
      `The dedup report covers ${itemsRead} items of ${report.source.description}, but ${source.description} has ${source.length}; it was made from another source`,
    );
  }
  const dropped = droppedIndices(report);
  if (source.randomAccess) {
    const checks = report.groups.flatMap((group) => group.dropped).slice(0, 32);
    for (const expected of checks) {
      const item = await source.readItem(expected.index);
      if (item.key !== expected.key) {
        throw new DedupError(
          `The dedup report drops item ${expected.index} as \`${expected.key}\`, but that item of ${source.description} is \`${item.key}\`; it was made from another source`,
        );
      }
    }
  }
  const keptCount = itemsRead - dropped.length;
  // kept[i] = source index of the i-th kept item (4 bytes per item).
  const kept = new Int32Array(keptCount);
  let droppedPosition = 0;
  let keptPosition = 0;
  for (let index = 0; index < itemsRead; index += 1) {
    if (droppedPosition < dropped.length && dropped[droppedPosition] === index) droppedPosition += 1;
    else kept[keptPosition++] = index;
  }
  const description = `${source.description}, without ${dropped.length} duplicates`;
  const labelled = source as Partial<LabelledImageSource>;
  const readLabels =
    labelled.readLabels === undefined
      ? undefined
      : async () => {
          const labels = await labelled.readLabels!();
          return Int32Array.from(kept, (index) => labels[index]!);
        };
  return defineSource({
    description,
    length: keptCount,
    classNames: source.classNames,
    ...(source.randomAccess ? { readItem: (index: number) => source.readItem(kept[index]!) } : {}),
    items: async function* () {
      let index = 0;
      let next = 0;
      for await (const item of source.items()) {
        if (next < dropped.length && dropped[next] === index) next += 1;
        else yield item;
        index += 1;
      }
    },
    ...(readLabels === undefined ? {} : { readLabels }),
    close: () => source.close(),
  });
}
