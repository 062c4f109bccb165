import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createBatches } from '../batch/create-batches';
import { iterateSamples } from '../source/iterate-samples';
import { createScratch, type Scratch } from '../testing/corrupt-files';
import { expected, fixture, sha256 } from '../testing/fixtures';
import { resizeThenCenterCrop } from '../transform/transform-step';
import { checkLmdbExportShards, exportLmdbToFolder } from './export-lmdb-to-folder';
import { openLmdbImages } from './lmdb-source';

describe('openLmdbImages (LSUN layout)', () => {
  it('decodes every value like PIL (WebP exactly, JPEG within decoder rounding) and reports the corrupt entry by key', async () => {
    const source = await openLmdbImages(fixture('lmdb', 'bedroom_train_lmdb'));
    expect(source.length).toBe(expected.lmdb.bedroom.length + 1);
    const stream = iterateSamples(source);
    const byKey = new Map<string, { sha: string; mean: number; width: number; height: number }>();
    for await (const sample of stream) {
      const { data, width, height } = sample.image;
      const mean = data.reduce((sum, value) => sum + value, 0) / data.length;
      byKey.set(sample.key.slice(sample.key.lastIndexOf(':') + 1), { sha: sha256(data), mean, width, height });
    }
    for (const entry of expected.lmdb.bedroom) {
      const decoded = byKey.get(entry.key)!;
      expect([decoded.width, decoded.height]).toEqual([entry.width, entry.height]);
      if (entry.format === 'webp') expect(decoded.sha).toBe(entry.pixelsSha256);
      else expect(Math.abs(decoded.mean - entry.pixelsMean)).toBeLessThan(0.5);
    }
    expect(stream.report?.skipped).toHaveLength(1);
    expect(stream.report?.skipped[0]?.key).toMatch(new RegExp(`${expected.lmdb.corruptKey}$`));
    await source.close();
  });

  it('streams shuffled 64px-style batches (here 16px) of the decodable entries', async () => {
    const source = await openLmdbImages(fixture('lmdb', 'bedroom_train_lmdb'), { limit: 5 });
    expect(source.length).toBe(5);
    const stream = createBatches(source, { batchSize: 2, seed: 1, transform: resizeThenCenterCrop(16) });
    let images = 0;
    for await (const batch of stream) {
      expect(batch.shape).toEqual([2, 16, 16, 3]);
      images += batch.shape[0];
    }
    expect(images + stream.report!.imagesDropped + stream.report!.skippedCount).toBe(5);
    await source.close();
  });
});

describe('exportLmdbToFolder', () => {
  let scratch: Scratch;
  beforeAll(async () => {
    scratch = await createScratch('export');
  });
  afterAll(() => scratch.remove());

  it('gives every key a file of its own, and counts true, when keys differ only where file names cannot', async () => {
    // `a/b`, `a b` and `a_b`; two 231-character keys alike in their first 230; a binary key and the ASCII key
    // of its hex; `A_B` (one name with `a_b` on case-insensitive disks). 9 entries used to give 7 files.
    const folder = join(scratch.directory, 'colliding');
    const result = await exportLmdbToFolder(fixture('lmdb', 'colliding.mdb'), folder, { filesPerFolder: 0 });
    expect(result).toEqual({ total: 9, written: 9, kept: 0 });
    const names = (await readdir(folder)).sort();
    expect(names).toHaveLength(9);
    // Keys that are already safe, lowercase file names keep them.
    expect(names).toEqual(expect.arrayContaining(['a_b.png', 'ff00.png', 'plain.png']));
    for (const name of names) expect(name.length, name).toBeLessThanOrEqual(204);
    const contents = await Promise.all(names.map(async (name) => sha256(await readFile(join(folder, name)))));
    expect(contents.sort()).toEqual(expected.lmdbColliding.map((entry) => entry.valueSha256).sort());
    expect(sha256(await readFile(join(folder, 'a_b.png')))).toBe(
      expected.lmdbColliding.find((entry) => entry.keyHex === '615f62')!.valueSha256,
    );
    // Names are stable: a second call finds every file in place.
    expect(await exportLmdbToFolder(fixture('lmdb', 'colliding.mdb'), folder, { filesPerFolder: 0 })).toEqual({
      total: 9,
      written: 0,
      kept: 9,
    });
  });

  it('writes each value to <key>.<type> in numbered subfolders, and resumes', async () => {
    const folder = join(scratch.directory, 'bedrooms');
    const progress: number[] = [];
    const first = await exportLmdbToFolder(fixture('lmdb', 'bedroom_train_lmdb'), folder, {
      filesPerFolder: 4,
      limit: 5,
      onEvent: (event) => {
        if (event.status === 'export-progress') progress.push(event.written);
      },
    });
    expect(first).toEqual({ total: 5, written: 5, kept: 0 });
    expect(progress.at(-1)).toBe(5);
    expect((await readdir(folder)).sort()).toEqual(['00000', '00001']);
    const all = await exportLmdbToFolder(fixture('lmdb', 'bedroom_train_lmdb'), folder, { filesPerFolder: 4 });
    expect(all).toEqual({ total: 7, written: 2, kept: 5 });
    for (const entry of expected.lmdb.bedroom) {
      const subfolders = await readdir(folder);
      const matches = [];
      const name = `${entry.key}.${entry.format}`;
      for (const subfolder of subfolders)
        if ((await readdir(join(folder, subfolder))).includes(name)) matches.push(subfolder);
      expect(matches).toHaveLength(1);
      expect(sha256(await readFile(join(folder, matches[0]!, name)))).toBe(entry.valueSha256);
    }
  });

  it('in 3 shards writes the files of one export, and its check names a missing shard', async () => {
    const whole = join(scratch.directory, 'whole');
    await exportLmdbToFolder(fixture('lmdb', 'bedroom_train_lmdb'), whole, { filesPerFolder: 3 });
    const sharded = join(scratch.directory, 'sharded');
    const results = [];
    for (const index of [2, 0])
      results.push(
        await exportLmdbToFolder(fixture('lmdb', 'bedroom_train_lmdb'), sharded, {
          filesPerFolder: 3,
          shard: { index, count: 3 },
        }),
      );
    expect(results.map((result) => result.total)).toEqual([2, 3]);
    await expect(checkLmdbExportShards(sharded)).rejects.toThrow(
      'cannot merge: missing shard 1/3 (shard-00001-of-00003)',
    );
    await exportLmdbToFolder(fixture('lmdb', 'bedroom_train_lmdb'), sharded, {
      filesPerFolder: 3,
      shard: { index: 1, count: 3 },
    });
    expect(await checkLmdbExportShards(sharded)).toBe(7);
    const files = async (root: string) => {
      const found: Record<string, string> = {};
      for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && !join(entry.parentPath, entry.name).includes(`${root}/shards`))
          found[join(entry.parentPath, entry.name).slice(root.length)] = sha256(
            await readFile(join(entry.parentPath, entry.name)),
          );
      }
      return found;
    };
    const expectedFiles = await files(whole);
    expect(Object.keys(expectedFiles)).toHaveLength(7);
    expect(await files(sharded)).toEqual(expectedFiles);
  });
});
