import { readdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DataError } from '../errors/data-error';
import { iterateSamples } from '../source/iterate-samples';
import { openImageFolder } from '../sources/image-folder-source';
import { openSvhn } from '../sources/svhn-source';
import { createScratch, failureOf, type Scratch } from '../testing/corrupt-files';
import { expected, fixture, sha256 } from '../testing/fixtures';
import { resizeThenCenterCrop, toRgb } from '../transform/transform-step';
import { createShardCache, openShardCache } from './shard-cache';
import { mergeShardCaches } from './merge-shard-caches';
import { shardDirectory } from '../shard/shard-assignment';

describe('shard cache', () => {
  let scratch: Scratch;
  beforeAll(async () => {
    scratch = await createScratch('cache');
  });
  afterAll(() => scratch.remove());

  const transform = [...resizeThenCenterCrop(8), toRgb()];

  it('in 3 shards + merge is the cache of one call, byte for byte, and the merge names a missing shard', async () => {
    const folder = await openImageFolder(fixture('images'), { labels: 'subfolders' });
    const single = join(scratch.directory, 'single');
    await createShardCache(folder, single, { transform, shardSize: 4 });
    const output = join(scratch.directory, 'sharded');
    for (const index of [0, 2])
      await createShardCache(folder, shardDirectory(output, { index, count: 3 }), {
        transform,
        shardSize: 4,
        shard: { index, count: 3 },
      });
    await expect(mergeShardCaches(output, join(output, 'merged'))).rejects.toThrow(
      'cannot merge: missing shard 1/3 (shard-00001-of-00003)',
    );
    await createShardCache(folder, shardDirectory(output, { index: 1, count: 3 }), {
      transform,
      shardSize: 4,
      shard: { index: 1, count: 3 },
    });
    const merged = await mergeShardCaches(output, join(output, 'merged'));
    expect(merged.length).toBe(6);
    expect(merged.skippedCount).toBe(3);
    const bytes = async (directory: string) => {
      const files: Record<string, string> = {};
      for (const name of (await readdir(directory)).sort()) files[name] = sha256(await readFile(join(directory, name)));
      return files;
    };
    const expectedFiles = await bytes(single);
    expect(Object.keys(expectedFiles)).toEqual([
      'manifest.json',
      'shard-00000.labels',
      'shard-00000.u8',
      'shard-00001.labels',
      'shard-00001.u8',
    ]);
    expect(await bytes(join(output, 'merged'))).toEqual(expectedFiles);
    await Promise.all([merged.close(), folder.close()]);
  });

  it('holds exactly the transformed images of the source, with labels, and lists what it skipped', async () => {
    const folder = await openImageFolder(fixture('images'), { labels: 'subfolders' });
    const directory = join(scratch.directory, 'folder');
    const cached = await createShardCache(folder, directory, { transform, shardSize: 4 });
    const direct = [];
    for await (const sample of iterateSamples(folder, { transform })) direct.push(sample);
    expect(cached.length).toBe(6);
    expect(cached.skippedCount).toBe(3);
    expect(cached.skipped.map((skip) => skip.key)).toEqual(
      expect.arrayContaining([expect.stringMatching(/noise\.png$/)]),
    );
    for (let index = 0; index < 6; index += 1) {
      const item = await cached.readItem(index);
      expect(sha256((item.payload as { data: Uint8Array }).data)).toBe(sha256(direct[index]!.image.data));
      expect(item.label).toBe(direct[index]!.label);
    }
    expect(Array.from(await cached.readLabels())).toEqual(direct.map((sample) => sample.label));
    await Promise.all([cached.close(), folder.close()]);
  });

  it('reuses a complete cache and makes a stream-only source random-access', async () => {
    const stream = await openSvhn(fixture('svhn', 'test_32x32.mat'), { maximumInMemoryBytes: 100 });
    expect(stream.randomAccess).toBe(false);
    const directory = join(scratch.directory, 'svhn');
    const cached = await createShardCache(stream, directory, { transform: [], shardSize: 2 });
    expect(cached.randomAccess).toBe(true);
    expect(sha256(((await cached.readItem(4)).payload as { data: Uint8Array }).data)).toBe(
      expected.svhn['test_32x32.mat']!.sha256[4],
    );
    const before = (await stat(join(directory, 'manifest.json'))).mtimeMs;
    const reused = await createShardCache(stream, directory, { transform: [], shardSize: 2 });
    expect((await stat(join(directory, 'manifest.json'))).mtimeMs).toBe(before);
    await Promise.all([stream.close(), cached.close(), reused.close()]);
  });

  it('resumes after an abort without redoing finished shards', async () => {
    const source = await openSvhn(fixture('svhn', 'train_32x32.mat'));
    const directory = join(scratch.directory, 'resume');
    const controller = new AbortController();
    const written: number[] = [];
    const aborted = await failureOf(() =>
      createShardCache(source, directory, {
        transform: [],
        shardSize: 2,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.status === 'cache-progress') {
            written.push(event.written);
            controller.abort();
          }
        },
      }),
    );
    expect((aborted as Error).name).toBe('AbortError');
    expect(written).toEqual([2]);
    const firstShard = await readFile(join(directory, 'shard-00000.u8'));
    const resumedProgress: number[] = [];
    const cached = await createShardCache(source, directory, {
      transform: [],
      shardSize: 2,
      onEvent: (event) => {
        if (event.status === 'cache-progress') resumedProgress.push(event.written);
      },
    });
    expect(resumedProgress).toEqual([4, 6]);
    expect(await readFile(join(directory, 'shard-00000.u8'))).toEqual(firstShard);
    const hashes = [];
    for (let index = 0; index < cached.length!; index += 1)
      hashes.push(sha256(((await cached.readItem(index)).payload as { data: Uint8Array }).data));
    expect(hashes).toEqual(expected.svhn['train_32x32.mat']!.sha256);
    await Promise.all([cached.close(), source.close()]);
  });

  it('refuses a damaged cache, naming the file', async () => {
    const directory = join(scratch.directory, 'damaged');
    const source = await openSvhn(fixture('svhn', 'train_32x32.mat'));
    const cached = await createShardCache(source, directory, { transform: [], shardSize: 4 });
    await Promise.all([cached.close(), source.close()]);
    await truncate(join(directory, 'shard-00001.u8'), 100);
    const error = await failureOf(() => openShardCache(directory));
    expect(DataError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /shard-00001\.u8: holds 100 bytes, the manifest promises 2 images of 3072 bytes/,
    );
    await expect(openShardCache(join(scratch.directory, 'nothing'))).rejects.toThrow(/manifest\.json: missing/);
  });
});
