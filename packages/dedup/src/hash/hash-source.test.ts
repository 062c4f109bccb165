import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createMemorySource, defineSource, encodePng, resize, toGrayscale, type Sample } from '@dcgan/data';
import { beforeAll, describe, expect, it } from 'vitest';

import { findDuplicateGroups } from '../group/find-duplicate-groups';
import { groupMembers } from '../group/duplicate-groups';
import { SemanticHasher } from '../hasher/semantic-hasher';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistSamples } from '../test-support/mnist-samples';
import { createExactPixelHasher } from './exact-pixel-hasher';
import { hashSource, type HashEvent } from './hash-source';
import { shiftImage } from './shift-probes';

const architecture = { imageWidth: 16, imageHeight: 16, channels: 1 as const, codeBits: 32, threshold: 0 };
const transform = [resize(16), toGrayscale()];

let samples: Sample[];
beforeAll(async () => {
  await useCpuBackend();
  samples = await mnistSamples(4); // 40 digits
});

describe('hashSource', () => {
  it('hashes every item in storage order, the same codes as hashing the images directly', async () => {
    const hasher = SemanticHasher.create({ architecture, seed: 1 });
    const hashes = await hashSource(createMemorySource(samples), hasher, { transform, batchSize: 7 });
    expect(hashes.count).toBe(40);
    expect(Array.from(hashes.indices)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(hashes.keys).toEqual(samples.map((sample) => sample.key));
    expect(hashes.codes).toEqual(await hasher.hashImages(samples.map((sample) => sample.image)));
    expect(hashes.fingerprint).toBe(await hasher.fingerprint());
    // Verification thumbnails default to the hasher's input size (16 here) in gray: the hashed images themselves.
    expect(hashes.thumbnails).toMatchObject({ size: 16, channels: 1, scale: 1 });
    expect(hashes.thumbnails!.data).toEqual(
      Uint8Array.from(samples.flatMap((sample) => Array.from(sample.image.data))),
    );
    hasher.dispose();
  });

  it('skips undecodable items and lists them with index, key and reason', async () => {
    const png = await encodePng(samples[0]!.image);
    const items = [
      { key: 'good-0.png', label: undefined, payload: { encoded: png } },
      { key: 'garbage.jpg', label: undefined, payload: { encoded: new TextEncoder().encode('this is not an image') } },
      { key: 'good-2.png', label: undefined, payload: { encoded: png } },
      { key: 'truncated.png', label: undefined, payload: { encoded: png.subarray(0, 40) } },
      { key: 'good-4.png', label: undefined, payload: samples[1]!.image },
    ];
    const source = defineSource({
      description: 'mixed files',
      length: items.length,
      readItem: async (index) => items[index]!,
    });
    const events: HashEvent[] = [];
    const hashes = await hashSource(source, createExactPixelHasher(), {
      transform,
      onEvent: (event) => events.push(event),
    });
    expect(hashes.count).toBe(3);
    expect(hashes.itemsRead).toBe(5);
    expect(Array.from(hashes.indices)).toEqual([0, 2, 4]);
    expect(hashes.skipped.map(({ index, key }) => ({ index, key }))).toEqual([
      { index: 1, key: 'garbage.jpg' },
      { index: 3, key: 'truncated.png' },
    ]);
    for (const item of hashes.skipped) expect(item.reason.length).toBeGreaterThan(5);
    expect(events.filter((event) => event.status === 'skipped')).toHaveLength(2);
    // Identical pixels, identical exact-pixel codes: items 0 and 2 form a group.
    const groups = findDuplicateGroups(hashes);
    expect(groups.groupCount).toBe(1);
    expect(Array.from(groupMembers(groups, 0), (position) => hashes.indices[position])).toEqual([0, 2]);
  });

  it('skips items that come out in the wrong shape', async () => {
    const wrong = {
      key: 'wide',
      label: undefined,
      image: { width: 20, height: 16, channels: 1 as const, data: new Uint8Array(320) },
    };
    const hasher = SemanticHasher.create({ architecture });
    const hashes = await hashSource(createMemorySource([samples[0]!, wrong]), hasher, { transform: [toGrayscale()] });
    expect(hashes.count).toBe(1);
    expect(hashes.skipped).toEqual([
      { index: 1, key: 'wide', reason: 'came out 20x16x1 after the transform; the hasher takes 16x16x1' },
    ]);
    hasher.dispose();
  });

  it('resumes an interrupted run from its finished chunks and gives the same result', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'dedup-resume-'));
    const hasher = SemanticHasher.create({ architecture, seed: 4 });
    const source = createMemorySource(samples);
    const reference = await hashSource(source, hasher, { transform });

    const controller = new AbortController();
    const interrupted = hashSource(source, hasher, {
      transform,
      directory,
      chunkSize: 8,
      batchSize: 4,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.status === 'chunk-written' && event.chunk === 2) controller.abort();
      },
    });
    await expect(interrupted).rejects.toMatchObject({ name: 'AbortError' });
    expect((await readdir(directory)).filter((name) => name.endsWith('.json') && name.startsWith('chunk')).length).toBe(
      3,
    );

    const events: HashEvent[] = [];
    const resumed = await hashSource(source, hasher, {
      transform,
      directory,
      chunkSize: 8,
      batchSize: 4,
      onEvent: (event) => events.push(event),
    });
    expect(events[0]).toEqual({ status: 'start', total: 40, resumedFrom: 24, chunksLoaded: 3 });
    expect(resumed.resumedFrom).toBe(24);
    // Only the rest was hashed this time.
    const progress = events.filter((event) => event.status === 'progress');
    expect(progress[0]).toMatchObject({ hashed: 28 });
    expect(resumed.codes).toEqual(reference.codes);
    expect(Array.from(resumed.indices)).toEqual(Array.from(reference.indices));
    expect(resumed.keys).toEqual(reference.keys);

    // A finished store is read back without hashing anything.
    const again: HashEvent[] = [];
    const reread = await hashSource(source, hasher, {
      transform,
      directory,
      chunkSize: 8,
      onEvent: (event) => again.push(event),
    });
    expect(again.some((event) => event.status === 'progress')).toBe(false);
    expect(reread.codes).toEqual(reference.codes);
    hasher.dispose();
  });

  it('refuses to resume hashes made with another hasher, naming the manifest', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'dedup-mismatch-'));
    const source = createMemorySource(samples.slice(0, 8));
    const first = SemanticHasher.create({ architecture, seed: 1 });
    const second = SemanticHasher.create({ architecture, seed: 2 });
    await hashSource(source, first, { transform, directory });
    await expect(hashSource(source, second, { transform, directory })).rejects.toThrow(
      new RegExp(
        `${join(directory, 'manifest.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: these hashes were made differently, so they cannot be resumed: fingerprint`,
      ),
    );
    const restarted = await hashSource(source, second, { transform, directory, restart: true });
    expect(restarted.fingerprint).toBe(await second.fingerprint());
    first.dispose();
    second.dispose();
  });

  it('matches translated copies through shift probes', async () => {
    // Exact pixel codes never match a shifted copy; its 1- or 2-pixel probes do (the digit does not touch the border).
    const original = samples[5]!;
    const items: Sample[] = [
      original,
      { key: 'shifted', label: undefined, image: shiftImage(original.image, -1, 2) },
      samples[6]!,
    ];
    const hasher = createExactPixelHasher();
    const plain = await hashSource(createMemorySource(items), hasher, { transform });
    expect(findDuplicateGroups(plain).groupCount).toBe(0);
    const probed = await hashSource(createMemorySource(items), hasher, { transform, shiftProbes: 2 });
    expect(probed.probesPerItem).toBe(24);
    expect(probed.probeCodes?.length).toBe(3 * 24 * 16);
    const groups = findDuplicateGroups(probed);
    expect(groups.groupCount).toBe(1);
    expect(Array.from(groupMembers(groups, 0))).toEqual([0, 1]);
  });
});
