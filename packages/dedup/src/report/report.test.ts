import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createBatches, createMemorySource, toGrayscale, type Sample } from '@dcgan/data';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import { findDuplicateGroups } from '../group/find-duplicate-groups';
import { createExactPixelHasher } from '../hash/exact-pixel-hasher';
import { hashSource, type SourceHashes } from '../hash/hash-source';
import { mnistSamples } from '../test-support/mnist-samples';
import { writeContactSheet } from './contact-sheet';
import {
  assertDropShareAccepted,
  buildDedupReport,
  checkDropShare,
  droppedIndices,
  readDedupReport,
  writeDedupReport,
  type DedupReport,
} from './dedup-report';
import { createDeduplicatedSource } from './deduplicated-source';

let samples: Sample[];
let hashes: SourceHashes;
let report: DedupReport;

beforeAll(async () => {
  const digits = await mnistSamples(2); // 20 distinct digits
  // Copies: 3 of digit 0 (at 20, 21, 25), 1 of digit 7 (at 22); 24 is an undecodable item.
  samples = [...digits, digits[0]!, digits[0]!, digits[7]!, digits[3]!];
  samples = samples.map((sample, index) => ({ ...sample, key: `item-${index}` }));
  samples.push(
    { key: 'item-24', label: undefined, image: digits[9]!.image },
    { key: 'item-25', label: undefined, image: digits[0]!.image },
  );
  hashes = await hashSource(createMemorySource(samples), createExactPixelHasher(), { transform: [toGrayscale()] });
  report = buildDedupReport(hashes, findDuplicateGroups(hashes));
});

describe('buildDedupReport', () => {
  it('keeps the first item of each group, drops the rest, and counts', () => {
    expect(report.counts).toEqual({ items: 26, hashed: 26, skipped: 0, groups: 4, inGroups: 10, dropped: 6, kept: 20 });
    expect(report.groups[0]).toEqual({
      kept: { index: 0, key: 'item-0' },
      dropped: [
        { index: 20, key: 'item-20' },
        { index: 21, key: 'item-21' },
        { index: 25, key: 'item-25' },
      ],
    });
    expect(
      report.groups.slice(1).map((group) => [group.kept.index, ...group.dropped.map((item) => item.index)]),
    ).toEqual([
      [3, 23],
      [7, 22],
      [9, 24],
    ]);
    expect(Array.from(droppedIndices(report))).toEqual([20, 21, 22, 23, 24, 25]);
    expect(report.hasher).toMatchObject({ kind: 'exact-pixel', codeBits: 128, shiftProbes: 0 });
  });

  it('round-trips through a file and refuses files that are not reports', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'dedup-report-'));
    const path = join(directory, 'report.json');
    await writeDedupReport(path, report);
    expect(await readDedupReport(path)).toEqual(JSON.parse(JSON.stringify(report)));
    const other = join(directory, 'other.json');
    await writeFile(other, '{"format": "something-else"}');
    await expect(readDedupReport(other)).rejects.toThrow(`${other}: not a dedup report`);
  });
});

describe('createDeduplicatedSource', () => {
  it('leaves out the dropped items, keeps order and random access, and feeds createBatches', async () => {
    const source = await createDeduplicatedSource(createMemorySource(samples), report);
    expect(source.length).toBe(20);
    const keys: string[] = [];
    for await (const item of source.items()) keys.push(item.key);
    expect(keys).toEqual(Array.from({ length: 20 }, (_, index) => `item-${index}`));
    expect((await source.readItem(19)).key).toBe('item-19');
    let images = 0;
    for await (const batch of createBatches(source, { batchSize: 5, transform: [toGrayscale()] }))
      images += batch.shape[0];
    expect(images).toBe(20);
  });

  it('refuses a report made from another source', async () => {
    await expect(createDeduplicatedSource(createMemorySource(samples.slice(0, 10)), report)).rejects.toThrow(
      /covers 26 items .* has 10; it was made from another source/,
    );
    const renamed = samples.map((sample, index) => (index === 20 ? { ...sample, key: 'renamed' } : sample));
    await expect(createDeduplicatedSource(createMemorySource(renamed), report)).rejects.toThrow(
      'drops item 20 as `item-20`, but that item of in-memory images is `renamed`',
    );
  });
});

describe('writeContactSheet', () => {
  it('draws one row per group with framed tiles', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'dedup-sheet-'));
    const path = join(directory, 'sheet.png');
    const summary = await writeContactSheet(path, createMemorySource(samples), report.groups, {
      selection: 'largest',
      tileSize: 32,
      maximumGroups: 3,
    });
    expect(summary.groups).toHaveLength(3);
    // 4 columns (the group of digit 0 has 4 members), so 2 groups per line, 2 lines; cells are 32 + 2 * 2 frame,
    // 4 px between cells and around, 16 px between groups.
    expect([summary.width, summary.height]).toEqual([2 * (4 * 36 + 3 * 4) + 16 + 2 * 4, 2 * 36 + 3 * 4]);
    const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([summary.width, summary.height, 3]);
    const pixel = (x: number, y: number) =>
      Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    expect(pixel(4, 4)).toEqual([40, 200, 80]); // kept frame, first row
    expect(pixel(4 + 36 + 4, 4)).toEqual([220, 60, 50]); // dropped frame
    expect(pixel(0, 0)).toEqual([24, 24, 24]); // background
    const secondGroupLeft = 4 + 4 * 36 + 3 * 4 + 16;
    expect(pixel(secondGroupLeft, 4)).toEqual([40, 200, 80]); // second group, kept
    expect(pixel(secondGroupLeft + 2 * 40 + 10, 10)).toEqual([24, 24, 24]); // it has only two items
    expect(pixel(4, 4 + 36 + 4)).toEqual([40, 200, 80]); // third group, second line
  });
});

describe('the data-loss guard', () => {
  it('records the share dropped in the report and flags more than the limit (default 5%)', () => {
    // 6 of 26 dropped = 23%.
    expect(report.guard).toEqual({ maximumDropShare: 0.05, dropShare: 6 / 26, exceeded: true });
    expect(buildDedupReport(hashes, findDuplicateGroups(hashes), { maximumDropShare: 0.25 }).guard).toEqual({
      maximumDropShare: 0.25,
      dropShare: 6 / 26,
      exceeded: false,
    });
    const check = checkDropShare(report);
    expect(check).toMatchObject({ dropShare: 6 / 26, dropped: 6, hashed: 26, exceeded: true, maximumDropShare: 0.05 });
    expect(check.largestGroups[0]!.kept.key).toBe('item-0');
    expect(check.largestGroups[0]!.dropped).toHaveLength(3);
    expect(checkDropShare(report, 0.3).exceeded).toBe(false);
    expect(() => checkDropShare(report, 1.5)).toThrow(
      'Expected `maximumDropShare` to be a number in [0, 1], got `1.5`',
    );
  });

  it('refuses a report that drops too much unless accepted, naming the file and the largest groups', () => {
    expect(() => assertDropShareAccepted(report, { file: 'runs/x/dedup-report.json' })).toThrow(
      'runs/x/dedup-report.json: the dedup report drops 6 of 26 items (23.1%), more than the 5.0% allowed; largest groups: 4 items kept as item-0;',
    );
    expect(assertDropShareAccepted(report, { accept: true }).exceeded).toBe(true);
    expect(assertDropShareAccepted(report, { maximumDropShare: 0.25 }).exceeded).toBe(false);
    // The check counts the groups, so a report whose recorded guard was edited is still caught.
    expect(() =>
      assertDropShareAccepted({ ...report, guard: { maximumDropShare: 1, dropShare: 0, exceeded: false } }),
    ).toThrow(/drops 6 of 26 items/);
  });
});
