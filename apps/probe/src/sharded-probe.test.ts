import { cp, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from '@dcgan/core';
import { saveCheckpoint } from '@dcgan/core/node';
import { runShardWorkers, startShardWorker } from '@dcgan/vitest-config/shard-workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runProbeCommand, type ProbeCommandReport } from './run-probe-command.js';

const worker = fileURLToPath(new URL('./test-support/probe-shard-worker.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/digit-folders', import.meta.url));
const defaults = { programName: 'dcgan-probe' };
const quiet = { stdout: () => {}, stderr: () => {} };
let base: string;
let argv: string[];

/** Every file under `directory` (relative path -> bytes, base64), leaving out the shards' own folders. */
async function treeBytes(directory: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const name = relative(directory, path);
    if (entry.isFile() && !name.split(sep).includes('shards')) files[name] = (await readFile(path)).toString('base64');
  }
  return files;
}

/** The report without what differs between any two runs (timings, the command line). */
async function reportWithoutTimings(out: string): Promise<unknown> {
  const { started, seconds, command, methods, ...rest } = JSON.parse(
    await readFile(join(out, 'report.json'), 'utf8'),
  ) as ProbeCommandReport;
  expect([typeof started, typeof seconds, typeof command]).toEqual(['string', 'number', 'string']);
  return {
    ...rest,
    methods: methods.map(({ seconds: methodSeconds, ...method }) => {
      expect(methodSeconds).toBeGreaterThan(0);
      return method;
    }),
  };
}

/** report.md without its last line (the command line). */
const tableOf = async (out: string) =>
  (await readFile(join(out, 'report.md'), 'utf8')).trimEnd().split('\n').slice(0, -1).join('\n');
const shardFolder = (out: string, index: number) => join(out, 'features', 'shards', `shard-0000${index}-of-00004`);

beforeAll(async () => {
  await tf.setBackend('cpu');
  base = await mkdtemp(join(tmpdir(), 'dcgan-probe-shards-'));
  const trainer = new Trainer({ config: { imageSize: 16, channels: 1, baseWidth: 4 }, batchSize: 8, seed: 3 });
  await saveCheckpoint(join(base, 'checkpoint'), trainer);
  trainer.dispose();
  // The committed digit folders, plus a training image that does not decode (skipped in whichever shard holds it).
  await cp(fixtures, join(base, 'digits'), { recursive: true });
  await writeFile(join(base, 'digits', 'train', '1', '005b.png'), 'not a png');
  argv = [
    '--checkpoint',
    join(base, 'checkpoint'),
    '--dataset',
    'folder',
    '--data',
    join(base, 'digits', 'train'),
    '--test-data',
    join(base, 'digits', 'test'),
    '--backend',
    'cpu',
    '--methods',
    'discriminator,random,pixels',
    '--labels-per-class',
    '3',
    '--validation',
    '6',
    '--draws',
    '2',
    '--selection-draws',
    '1',
    '--costs',
    '0.01,0.1',
    '--batch-size',
    '4',
  ];
  expect(await runProbeCommand([...argv, '--out', join(base, 'single')], defaults, quiet)).toBe(0);
}, 120_000);
afterAll(() => rm(base, { recursive: true, force: true }));

describe('dcgan-probe --shard i/N in 4 processes with a Job environment, then dcgan-probe merge', () => {
  it('writes the feature stores of one process byte for byte, and the same report', async () => {
    const out = join(base, 'sharded');
    const shards = await runShardWorkers(worker, {
      count: 4,
      environment: { PROBE_TEST_ARGV: JSON.stringify([...argv, '--out', out]) },
    });
    // 37 training images (one broken) and 10 test images: item p goes to shard p mod 4.
    expect(
      shards.map((shard) =>
        /^shard (\d)\/4: features of (\d+) training and (\d+) test items/.exec(shard.stdout)?.slice(1),
      ),
    ).toEqual([
      ['0', '10', '3'],
      ['1', '9', '3'],
      ['2', '9', '2'],
      ['3', '9', '2'],
    ]);
    // Shards extract only: no report until the merge.
    await expect(stat(join(out, 'report.json'))).rejects.toThrow(/ENOENT/);
    const stderr: string[] = [];
    expect(
      await runProbeCommand(['merge', ...argv, '--out', out], defaults, {
        stdout: () => {},
        stderr: (text) => stderr.push(text),
      }),
    ).toBe(0);
    expect(stderr.join('')).toContain('merged 4 shards into 6 feature stores');
    // The merge read the merged stores and statistics: nothing was extracted again.
    expect(stderr.join('')).not.toMatch(/batch-norm statistics from|train features:/);
    const expected = await treeBytes(join(base, 'single', 'features'));
    expect(Object.keys(expected)).toEqual(
      expect.arrayContaining([
        'dcgan-discriminator/batch-norm-statistics.json',
        'random-discriminator/test/manifest.json',
        'pixels/train/chunk-00000.f16',
      ]),
    );
    expect(await treeBytes(join(out, 'features'))).toEqual(expected);
    const report = await reportWithoutTimings(out);
    expect(report).toEqual(await reportWithoutTimings(join(base, 'single')));
    expect(report).toMatchObject({
      protocol: { trainImages: 36, skippedTrain: 1, validationImages: 6, testImages: 10 },
    });
    expect(await tableOf(out)).toEqual(await tableOf(join(base, 'single')));
  }, 600_000);

  it('refuses a missing or a duplicated shard, naming it', async () => {
    const out = join(base, 'sharded');
    const merge = () => runProbeCommand(['merge', ...argv, '--out', out], defaults, quiet);
    await rename(shardFolder(out, 2), join(base, 'shard-2-elsewhere'));
    await expect(merge()).rejects.toThrow('cannot merge: missing shard 2/4 (shard-00002-of-00004)');
    await rename(join(base, 'shard-2-elsewhere'), shardFolder(out, 2));
    await cp(shardFolder(out, 3), `${shardFolder(out, 3)} copy`, { recursive: true });
    await expect(merge()).rejects.toThrow(
      /shard 3\/4 is duplicated in .*shard-00003-of-00004 and .*shard-00003-of-00004 copy/,
    );
    await rm(`${shardFolder(out, 3)} copy`, { recursive: true });
    // A merge with other settings than the shards ran with is refused too.
    await expect(runProbeCommand(['merge', ...argv, '--out', out, '--seed', '1'], defaults, quiet)).rejects.toThrow(
      /made with other settings than this merge \(seed differ\)/,
    );
  }, 120_000);

  it('refuses a shard killed mid-way; rerunning that shard alone completes the merge', async () => {
    const out = join(base, 'killed');
    // Shards 0, 2 and 3 finished in the test above: copy their folders (as if they had run here), not the merged stores.
    await cp(join(base, 'sharded', 'features'), join(out, 'features'), {
      recursive: true,
      filter: async (source) =>
        !source.includes('shard-00001-of-00004') &&
        ((await stat(source)).isDirectory() || source.includes(`${sep}shards${sep}`)),
    });
    const environment = { PROBE_TEST_ARGV: JSON.stringify([...argv, '--out', out]) };
    const running = startShardWorker(worker, {
      index: 1,
      count: 4,
      environment: { ...environment, PROBE_TEST_DELAY_MS: '400' },
    });
    // Killed once its pixel features are stored, before its discriminator features are.
    const pixels = join(out, 'features', 'pixels', 'train', 'shards', 'shard-00001-of-00004', 'shard.json');
    for (let waited = 0; !(await readFile(pixels, 'utf8').catch(() => '')).includes('"complete": true'); waited += 50) {
      if (waited > 300_000) throw new Error(`shard 1 stored no pixel features: ${(await running.done).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    running.child.kill('SIGKILL');
    expect((await running.done).signal).toBe('SIGKILL');
    await expect(runProbeCommand(['merge', ...argv, '--out', out], defaults, quiet)).rejects.toThrow(
      /cannot merge: shard 1\/4 is not complete/,
    );

    await runShardWorkers(worker, { count: 4, indices: [1], environment });
    expect(await runProbeCommand(['merge', ...argv, '--out', out], defaults, quiet)).toBe(0);
    expect(await treeBytes(join(out, 'features'))).toEqual(await treeBytes(join(base, 'single', 'features')));
    expect(await reportWithoutTimings(out)).toEqual(await reportWithoutTimings(join(base, 'single')));
  }, 600_000);
});
