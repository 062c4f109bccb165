import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { buildTrainArguments, stepsFor } from './paper-settings';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const fixture = join(here, '..', '..', '..', 'packages', 'data', 'test', 'fixtures', 'lmdb', 'bedroom_train_lmdb');

describe('paper settings', () => {
  it('runs dcgan-train with the paper LSUN settings: 64px RGB, base width 128, batch 128, 5 epochs', () => {
    const argumentsList = buildTrainArguments({
      data: '/data/bedroom_train_lmdb',
      out: 'runs/x',
      imageCount: 3_033_042,
      epochs: 5,
      batchSize: 128,
      steps: undefined,
      backend: 'auto',
      resume: false,
      extra: [],
    });
    expect(argumentsList.join(' ')).toBe(
      '--data /data/bedroom_train_lmdb --format lmdb --size 64 --channels 3 --base-width 128 --batch-size 128 --seed 1 --sample-every 500 --checkpoint-every 1000 --out runs/x --steps 118475 --backend auto',
    );
    expect(stepsFor(3_033_042, 128, 5)).toBe(5 * 23_695);
  });

  it('resumes with the same step budget and refuses a set smaller than a batch', () => {
    const base = { data: 'd', out: 'o', imageCount: 1000, epochs: 1, batchSize: 100, steps: undefined, backend: 'wasm', resume: true, extra: ['--sample-every', '5'] };
    expect(buildTrainArguments(base)).toEqual(['--resume', '--out', 'o', '--steps', '10', '--backend', 'wasm', '--sample-every', '5']);
    expect(() => buildTrainArguments({ ...base, imageCount: 50 })).toThrow('d holds 50 images, fewer than one batch of 100; pass a smaller --batch-size');
  });
});

describe('dcgan-train-lsun-bedrooms', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dcgan-lsun-app-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('trains on an LSUN-format LMDB (tiny model) and writes samples and a checkpoint', () => {
    const out = join(directory, 'run');
    const result = spawnSync(
      process.execPath,
      [cli, '--data', fixture, '--out', out, '--batch-size', '2', '--steps', '2', '--backend', 'cpu', '--', '--size', '16', '--base-width', '8', '--sample-every', '1'],
      { encoding: 'utf8', timeout: 110_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/7 images; running: dcgan-train --data .* --format lmdb --size 64 .* --size 16 --base-width 8/);
    expect(existsSync(join(out, 'checkpoint'))).toBe(true);
    expect(readdirSync(join(out, 'samples'))).toContain('step-000002.png');
  });

  it('explains a missing or broken LMDB in one line', () => {
    const result = spawnSync(process.execPath, [cli, '--data', join(directory, 'nope')], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/\ndcgan-train-lsun-bedrooms: error: .*nope: cannot read LMDB environment: ENOENT/);
  });
});
