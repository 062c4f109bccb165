import { access, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createMemorySource, type ImageSource, type Sample } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { loadSemanticHasher } from '../hasher/hasher-file';
import { readDedupReport } from '../report/dedup-report';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistSamples } from '../test-support/mnist-samples';
import {
  createDedupReport,
  dedupRunFiles,
  type CreateDedupReportOptions,
  type DedupRunEvent,
} from './create-dedup-report';

const architecture = { imageWidth: 16, imageHeight: 16, channels: 1 as const, codeBits: 32 };
let samples: Sample[];
let source: ImageSource;
let folder: string;

beforeAll(async () => {
  await useCpuBackend();
  folder = await mkdtemp(join(tmpdir(), 'create-dedup-report-'));
  const digits = await mnistSamples(3); // 30 distinct 16x16 digits
  // Copies of digit 4 (at 30) and digit 11 (at 31, 32): what the report must drop.
  samples = [...digits, digits[4]!, digits[11]!, digits[11]!].map((sample, index) => ({
    ...sample,
    key: `item-${String(index).padStart(2, '0')}`,
  }));
  source = createMemorySource(samples);
});

/** A small run: 16x16 gray digits, a 32-bit hasher, 2 epochs of 3 batches, exact-position hashing. */
function options(
  directory: string,
  events: DedupRunEvent[],
  more: Partial<CreateDedupReportOptions> = {},
): CreateDedupReportOptions {
  return {
    source,
    transform: [],
    directory,
    training: { architecture, epochs: 2, batchSize: 10, seed: 1 },
    shiftProbes: 0,
    radius: 1,
    maximumDropShare: 0.5,
    onEvent: (event) => events.push(event),
    ...more,
  };
}

const statuses = (events: readonly DedupRunEvent[]) =>
  events.map((event) =>
    event.status === 'hasher-training' || event.status === 'hashing'
      ? `${event.status}:${event.event.status}`
      : event.status,
  );

describe('createDedupReport', () => {
  it('trains the hasher into its folder, hashes, groups, writes the report and the sheet, and tells what it does in events', async () => {
    const directory = join(folder, 'fresh', 'deep');
    const events: DedupRunEvent[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const result = await createDedupReport(options(directory, events));

    // The three copies are dropped, each in the group of the digit it copies; the first of each group is kept.
    const groups = result.report.groups.map((group) => [group.kept.key, ...group.dropped.map((item) => item.key)]);
    expect(groups).toContainEqual(['item-04', 'item-30']);
    expect(groups).toContainEqual(['item-11', 'item-31', 'item-32']);
    expect(result.report.counts).toMatchObject({ items: 33, hashed: 33, skipped: 0 });
    expect(result.report.counts.dropped).toBeGreaterThanOrEqual(3);
    expect(result).toMatchObject({ path: join(directory, dedupRunFiles.report), reused: false });
    expect(await readDedupReport(result.path)).toEqual(JSON.parse(JSON.stringify(result.report)));
    expect((await stat(join(directory, dedupRunFiles.collisions))).size).toBeGreaterThan(100);
    const hasher = await loadSemanticHasher(join(directory, dedupRunFiles.hasher), architecture);
    expect(hasher.training.epochs).toBe(2);
    expect(await hasher.fingerprint()).toBe(result.report.hasher.fingerprint);
    hasher.dispose();

    const order = statuses(events);
    expect(order[0]).toBe('hasher-file');
    expect(events[0]).toMatchObject({ action: 'new', epochsDone: 0, epochs: 2 });
    expect(order.filter((status) => status === 'hasher-training:epoch-end')).toHaveLength(2);
    expect(order.indexOf('hashing:start')).toBeGreaterThan(order.lastIndexOf('hasher-training:epoch-end'));
    expect(order.slice(order.indexOf('hashing:done'))).toEqual(['hashing:done', 'report-written', 'contact-sheet']);
    // The hasher it returns is the caller's; everything else it made is freed.
    (result.hasher as unknown as { dispose(): void }).dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('reuses a report made from the same data with the same settings and hasher, and only that one', async () => {
    const directory = join(folder, 'reuse');
    const first = await createDedupReport(options(directory, []));
    const events: DedupRunEvent[] = [];
    const again = await createDedupReport(options(directory, events, { reuse: true }));
    expect(statuses(events)).toEqual(['report-reused']);
    expect(again).toMatchObject({ reused: true, hasher: null, path: first.path });
    expect(again.report).toEqual(JSON.parse(JSON.stringify(first.report)));

    // Another radius: the report does not fit; the trained hasher and the finished hashes are reused, the groups made anew.
    const other: DedupRunEvent[] = [];
    const changed = await createDedupReport(options(directory, other, { reuse: true, radius: 2 }));
    expect(changed.reused).toBe(false);
    expect(changed.report.grouping.radius).toBe(2);
    expect(other[0]).toMatchObject({ status: 'hasher-file', action: 'reuse', epochsDone: 2 });
    expect(other.find((event) => event.status === 'hashing' && event.event.status === 'start')).toMatchObject({
      event: { resumedFrom: 33 },
    });
    expect(statuses(other)).not.toContain('hasher-training:step');

    // Other data (one item less): not reused either.
    const fewer: DedupRunEvent[] = [];
    const smaller = createMemorySource(samples.slice(0, 32));
    const result = await createDedupReport(options(join(folder, 'reuse-other'), [], { reuse: true }));
    await createDedupReport(
      options(join(folder, 'reuse-other'), fewer, { reuse: true, source: smaller, restart: true }),
    );
    expect(statuses(fewer)).not.toContain('report-reused');
    expect((await readDedupReport(result.path)).counts.items).toBe(32);
  });

  it('stops on its signal with the finished epochs kept, and the same call continues from them', async () => {
    const directory = join(folder, 'stopped');
    const controller = new AbortController();
    const events: DedupRunEvent[] = [];
    const stopAfterFirstEpoch = options(directory, events, {
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.status === 'hasher-training' && event.event.status === 'epoch-end') controller.abort();
      },
    });
    await expect(createDedupReport(stopAfterFirstEpoch)).rejects.toMatchObject({
      name: 'AbortError',
      message: expect.stringContaining('holds the last finished epoch (1)'),
    });
    expect(events.at(-1)).toMatchObject({ status: 'hasher-stopped', epochsCompleted: 1 });
    expect(
      await access(join(directory, dedupRunFiles.report)).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    expect((await loadSemanticHasher(join(directory, dedupRunFiles.hasher))).training.epochs).toBe(1);

    const resumed: DedupRunEvent[] = [];
    const result = await createDedupReport(options(directory, resumed));
    expect(resumed[0]).toMatchObject({ status: 'hasher-file', action: 'continue', epochsDone: 1 });
    expect(statuses(resumed).filter((status) => status === 'hasher-training:epoch-end')).toHaveLength(1);
    expect(result.report.counts.dropped).toBeGreaterThanOrEqual(3);
  });

  it('flags a report that drops more than maximumDropShare and draws its largest groups', async () => {
    const directory = join(folder, 'guarded');
    const events: DedupRunEvent[] = [];
    const result = await createDedupReport(options(directory, events, { maximumDropShare: 0.05 })); // 3 of 33 is 9%
    const exceeded = events.find((event) => event.status === 'drop-share-exceeded');
    expect(exceeded).toMatchObject({
      check: { dropped: result.report.counts.dropped, hashed: 33, exceeded: true },
      sheet: join(directory, dedupRunFiles.largestGroups),
    });
    expect(events).toContainEqual({
      status: 'contact-sheet',
      path: join(directory, dedupRunFiles.largestGroups),
      groups: result.report.groups.length,
      selection: 'largest',
    });
    expect(result.report.guard).toMatchObject({ maximumDropShare: 0.05, exceeded: true });
    expect((await stat(join(directory, dedupRunFiles.largestGroups))).size).toBeGreaterThan(100);
  });
});
