import { cp, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { shardDirectory } from '@dcgan/data';
import { runShardWorkers, startShardWorker } from '@dcgan/vitest-config/shard-workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { useCpuBackend } from '../test-support/cpu-backend';
import { featureShardSettings, featureShardSetup } from '../test-support/feature-shard-fixture';
import { extractFeatures } from './extract-features';
import { mergeFeatureShards } from './feature-shards';
import { readFeatureStore, readFeatureStoreManifest } from './feature-store';

const worker = fileURLToPath(new URL('../test-support/feature-shard-worker.ts', import.meta.url));
let base: string;
let single: string;

async function folderBytes(directory: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(directory)).sort())
    files[name] = (await readFile(join(directory, name))).toString('base64');
  return files;
}

beforeAll(async () => {
  await useCpuBackend();
  base = await mkdtemp(join(tmpdir(), 'probe-shards-'));
  single = join(base, 'single');
  const { extractor, images } = await featureShardSetup();
  await extractFeatures(extractor, images, { ...featureShardSettings, directory: single });
  extractor.dispose();
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('feature extraction in shards (processes with a Job environment) and mergeFeatureShards', () => {
  it('4 shards + merge write the feature store of one process, byte for byte', async () => {
    const output = join(base, 'sharded');
    await runShardWorkers(worker, { count: 4, environment: { SHARD_TEST_OUTPUT: output } });
    await mergeFeatureShards(output, join(output, 'merged'));
    const expected = await folderBytes(single);
    expect(Object.keys(expected)).toContain('chunk-00007.f16');
    expect(await folderBytes(join(output, 'merged'))).toEqual(expected);
    const merged = await readFeatureStore(join(output, 'merged'));
    expect(merged.skipped).toHaveLength(1);
    expect(merged.features.rowCount).toBe(29);
    expect((await readFeatureStoreManifest(join(output, 'merged')))?.complete).toBe(true);
  }, 600_000);

  it('a shard killed mid-way is refused by the merge, and rerunning it alone completes the merge', async () => {
    const output = join(base, 'killed');
    // The other shards finished in the run above: copy them (as if they had run here).
    for (const index of [0, 2, 3]) {
      await cp(
        shardDirectory(join(base, 'sharded'), { index, count: 4 }),
        shardDirectory(output, { index, count: 4 }),
        { recursive: true },
      );
    }
    const directory = shardDirectory(output, { index: 1, count: 4 });
    const running = startShardWorker(worker, {
      index: 1,
      count: 4,
      environment: { SHARD_TEST_OUTPUT: output, SHARD_TEST_DELAY_MS: '1500' },
    });
    for (let waited = 0; ; waited += 100) {
      const chunks = (await readFeatureStoreManifest(directory).catch(() => undefined))?.chunks.length ?? 0;
      if (chunks >= 1) break;
      if (waited > 120_000) throw new Error(`the worker wrote no chunk: ${(await running.done).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    running.child.kill('SIGKILL');
    expect((await running.done).signal).toBe('SIGKILL');
    await expect(mergeFeatureShards(output, join(output, 'merged'))).rejects.toThrow(
      /cannot merge: shard 1\/4 is not complete/,
    );

    await runShardWorkers(worker, { count: 4, indices: [1], environment: { SHARD_TEST_OUTPUT: output } });
    await mergeFeatureShards(output, join(output, 'merged'));
    expect(await folderBytes(join(output, 'merged'))).toEqual(await folderBytes(single));
  }, 600_000);

  it('refuses a missing or a duplicated shard, naming it', async () => {
    const output = join(base, 'sharded');
    const moved = join(base, 'elsewhere');
    await rename(shardDirectory(output, { index: 0, count: 4 }), moved);
    await expect(mergeFeatureShards(output, join(base, 'nowhere'))).rejects.toThrow(
      'cannot merge: missing shard 0/4 (shard-00000-of-00004)',
    );
    await rename(moved, shardDirectory(output, { index: 0, count: 4 }));
    await cp(shardDirectory(output, { index: 2, count: 4 }), join(output, 'shards', 'shard-00002-of-00004.bak'), {
      recursive: true,
    });
    await expect(mergeFeatureShards(output, join(base, 'nowhere'))).rejects.toThrow(
      /shard 2\/4 is duplicated in .*shard-00002-of-00004 and .*shard-00002-of-00004\.bak/,
    );
  });
});
