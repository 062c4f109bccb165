import { cp, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { shardDirectory } from '@dcgan/data';
import { runShardWorkers, startShardWorker } from '@dcgan/vitest-config/shard-workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '@dcgan/backend';

import { createFaceDetector } from '../detector/face-detector';
import { faceShardSettings, writeFaceShardPhotos } from '../test-support/face-shard-fixture';
import { buildFaceDataset } from './build-face-dataset';
import type { FaceDatasetSummary } from './face-dataset-summary';
import { mergeFaceShards } from './face-shards';

const worker = fileURLToPath(new URL('../test-support/face-shard-worker.ts', import.meta.url));
let base: string;
let photos: string;
let single: string;
let singleSummary: FaceDatasetSummary;

/** Every file under `directory` but the summary (which holds timings and paths), as base64 by relative path. */
async function outputBytes(directory: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(directory, join(entry.parentPath, entry.name));
    if (path.startsWith('shards') || path === 'summary.json') continue;
    files[path] = (await readFile(join(directory, path))).toString('base64');
  }
  return files;
}

function comparable(summary: FaceDatasetSummary): unknown {
  const { seconds: _seconds, files: _files, ...rest } = summary;
  return rest;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'faces-shards-'));
  photos = join(base, 'photos');
  await writeFaceShardPhotos(photos);
  await initBackend({ prefer: 'wasm' });
  const detector = await createFaceDetector({ model: 'ssd-mobilenet-v1', minimumScore: 0.3 });
  single = join(base, 'single');
  singleSummary = await buildFaceDataset({ ...faceShardSettings, photos, outputDirectory: single, detector });
  detector.dispose();
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('dcgan-faces in shards (processes with a Job environment) and mergeFaceShards', () => {
  it('4 shards + merge write what one process writes, byte for byte', async () => {
    const output = join(base, 'sharded');
    await runShardWorkers(worker, { count: 4, environment: { SHARD_TEST_OUTPUT: output, SHARD_TEST_PHOTOS: photos } });
    const summary = await mergeFaceShards(output);
    const expected = await outputBytes(single);
    expect(singleSummary.facesKept).toBeGreaterThan(2);
    expect(Object.keys(expected).filter((path) => path.startsWith('contact-tiles/'))).toHaveLength(4);
    expect(await outputBytes(output)).toEqual(expected);
    expect(comparable(summary)).toEqual(comparable(singleSummary));
  }, 600_000);

  it('a shard killed mid-way is refused by the merge, and rerunning it alone completes the merge', async () => {
    const output = join(base, 'killed');
    const environment = { SHARD_TEST_OUTPUT: output, SHARD_TEST_PHOTOS: photos };
    // The other shards finished in the run above: copy them (as if they had run here).
    for (const index of [1, 2, 3]) {
      await cp(
        shardDirectory(join(base, 'sharded'), { index, count: 4 }),
        shardDirectory(output, { index, count: 4 }),
        { recursive: true },
      );
    }
    // Shard 0 holds photos 0 and 4: kill it (SIGKILL) once the first is journalled.
    const journal = join(shardDirectory(output, { index: 0, count: 4 }), 'detections.jsonl');
    const running = startShardWorker(worker, {
      index: 0,
      count: 4,
      environment: { ...environment, SHARD_TEST_DELAY_MS: '3000' },
    });
    for (let waited = 0; ; waited += 100) {
      const lines = await readFile(journal, 'utf8').then(
        (text) => text.split('\n').length - 1,
        () => 0,
      );
      if (lines >= 1) break;
      if (waited > 120_000) throw new Error(`the worker journalled nothing: ${(await running.done).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    running.child.kill('SIGKILL');
    expect((await running.done).signal).toBe('SIGKILL');
    await expect(mergeFaceShards(output)).rejects.toThrow(
      'cannot merge: shard 0/4 is not complete (it stopped before its end; rerun it alone: it resumes from its own output)',
    );

    await runShardWorkers(worker, { count: 4, indices: [0], environment });
    await mergeFaceShards(output);
    expect(await outputBytes(output)).toEqual(await outputBytes(single));
  }, 600_000);

  it('refuses a missing or a duplicated shard, naming it', async () => {
    const output = join(base, 'sharded');
    const moved = join(base, 'elsewhere');
    await rename(shardDirectory(output, { index: 2, count: 4 }), moved);
    await expect(mergeFaceShards(output)).rejects.toThrow('cannot merge: missing shard 2/4 (shard-00002-of-00004)');
    await rename(moved, shardDirectory(output, { index: 2, count: 4 }));
    await cp(shardDirectory(output, { index: 3, count: 4 }), join(output, 'shards', 'shard-00003-of-00004-again'), {
      recursive: true,
    });
    await expect(mergeFaceShards(output)).rejects.toThrow(
      /shard 3\/4 is duplicated in .*shard-00003-of-00004 and .*shard-00003-of-00004-again/,
    );
    expect(await stat(join(output, 'boxes.csv')).then(() => true)).toBe(true);
  });
});
