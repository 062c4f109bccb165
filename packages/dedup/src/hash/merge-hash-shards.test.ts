import { cp, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { shardDirectory } from '@dcgan/data';
import { runShardWorkers, startShardWorker } from '@dcgan/vitest-config/shard-workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  hashShardSettings,
  hashShardSource,
  slowHasher,
  writeHashShardFolder,
} from '../test-support/hash-shard-fixture';
import { defaultThumbnailChannels, defaultThumbnailSize } from '../group/thumbnails';
import { hashSource } from './hash-source';
import { mergeHashShards } from './merge-hash-shards';

const worker = fileURLToPath(new URL('../test-support/hash-shard-worker.ts', import.meta.url));
let base: string;
let single: string;
let folder: string;

async function folderBytes(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(directory)).sort())
    files.set(name, (await readFile(join(directory, name))).toString('base64'));
  return files;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'dedup-shards-'));
  single = join(base, 'single', 'hashes');
  folder = join(base, 'photos');
  await writeHashShardFolder(folder);
  await hashSource(await hashShardSource(folder), slowHasher(0), {
    ...hashShardSettings,
    transform: [],
    directory: single,
  });
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('hashing in shards (processes with a Job environment) and mergeHashShards', () => {
  it('4 shards + merge write the hash store of one process, byte for byte', async () => {
    const output = join(base, 'sharded');
    await runShardWorkers(worker, { count: 4, environment: { SHARD_TEST_OUTPUT: output, SHARD_TEST_FOLDER: folder } });
    const merged = await mergeHashShards(output, join(output, 'hashes'));
    expect(merged).toMatchObject({ shards: 4, itemsRead: 33, hashed: 31, skipped: 2 });
    const expected = await folderBytes(single);
    expect(expected.size).toBeGreaterThan(8);
    expect(await folderBytes(join(output, 'hashes'))).toEqual(expected);
    // The merged store resumes with nothing to hash: the codes come back whole.
    const hashes = await hashSource(await hashShardSource(folder), slowHasher(0), {
      ...hashShardSettings,
      transform: [],
      directory: join(output, 'hashes'),
    });
    expect(hashes.resumedFrom).toBe(33);
    // The verification thumbnails (hash store version 2) come through the merge too.
    expect(hashes.thumbnails?.size).toBe(defaultThumbnailSize);
    expect(hashes.thumbnails?.channels).toBe(defaultThumbnailChannels);
    expect(hashes.thumbnails?.data.length).toBe(31 * defaultThumbnailSize ** 2 * defaultThumbnailChannels);
    expect(hashes.thumbnails?.data.some((value) => value !== 0)).toBe(true);
    expect(hashes.skipped.map((item) => basename(item.key))).toEqual(['digit-09-broken.png', 'digit-20-broken.png']);
  }, 600_000);

  it('a shard killed mid-way is refused by the merge, and rerunning it alone completes the merge', async () => {
    const output = join(base, 'killed');
    // The other shards finished in the run above: copy them (as if they had run here).
    for (const index of [0, 1, 3]) {
      await cp(
        shardDirectory(join(base, 'sharded'), { index, count: 4 }),
        shardDirectory(output, { index, count: 4 }),
        { recursive: true },
      );
    }
    const directory = shardDirectory(output, { index: 2, count: 4 });
    const running = startShardWorker(worker, {
      index: 2,
      count: 4,
      environment: { SHARD_TEST_OUTPUT: output, SHARD_TEST_FOLDER: folder, SHARD_TEST_DELAY_MS: '400' },
    });
    // Kill it (SIGKILL: no chance to clean up) once its first chunk is on disk.
    for (let waited = 0; ; waited += 50) {
      if (
        await stat(join(directory, 'chunk-000000.json')).then(
          () => true,
          () => false,
        )
      )
        break;
      if (waited > 60_000) throw new Error('the worker wrote no chunk');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    running.child.kill('SIGKILL');
    expect((await running.done).signal).toBe('SIGKILL');
    await expect(mergeHashShards(output, join(output, 'hashes'))).rejects.toThrow(
      /cannot merge: shard 2\/4 is not complete \(it stopped before its end; rerun it alone/,
    );

    const [rerun] = await runShardWorkers(worker, {
      count: 4,
      indices: [2],
      environment: { SHARD_TEST_OUTPUT: output, SHARD_TEST_FOLDER: folder },
    });
    expect(rerun?.code).toBe(0);
    await mergeHashShards(output, join(output, 'hashes'));
    expect(await folderBytes(join(output, 'hashes'))).toEqual(await folderBytes(single));
  }, 600_000);

  it('refuses a missing or a duplicated shard, naming it', async () => {
    const output = join(base, 'sharded');
    const moved = join(base, 'shard-1-elsewhere');
    await rename(shardDirectory(output, { index: 1, count: 4 }), moved);
    await expect(mergeHashShards(output, join(base, 'merged-missing'))).rejects.toThrow(
      'cannot merge: missing shard 1/4 (shard-00001-of-00004)',
    );
    await rename(moved, shardDirectory(output, { index: 1, count: 4 }));
    await cp(shardDirectory(output, { index: 1, count: 4 }), join(output, 'shards', 'shard-00001-of-00004 (copy)'), {
      recursive: true,
    });
    await expect(mergeHashShards(output, join(base, 'merged-duplicate'))).rejects.toThrow(
      /cannot merge: shard 1\/4 is duplicated in .*shard-00001-of-00004 and .*shard-00001-of-00004 \(copy\)/,
    );
  });
});
