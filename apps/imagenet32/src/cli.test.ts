import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runScript } from '@dcgan/vitest-config/run-script';
import { afterAll, describe, expect, it } from 'vitest';

import { imagenet32Settings } from './paper-settings';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const fixture = join(here, '..', '..', '..', 'packages', 'data', 'test', 'fixtures', 'images');

/** Runs the built CLI. */
const run = (...argv: string[]) => runScript(cli, argv);

describe('paper settings', () => {
  it('are 32x32 centre crops with base width 256 (28,672 probe features), 4x4 kernels and batch 128', () => {
    expect(imagenet32Settings).toMatchObject({
      format: 'folder',
      size: 32,
      channels: 3,
      baseWidth: 256,
      kernelSize: 4,
      batchSize: 128,
    });
    // D's layers max-pooled to 4x4: 16 * (256 + 512 + 1024) = the paper's 28,672 features.
    expect(
      16 * (imagenet32Settings.baseWidth + 2 * imagenet32Settings.baseWidth + 4 * imagenet32Settings.baseWidth),
    ).toBe(28_672);
  });
});

describe('dcgan-train-imagenet32', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dcgan-imagenet-app-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('trains on a folder of images (tiny model), skipping corrupt files, and writes samples and a checkpoint', async () => {
    const out = join(directory, 'run');
    const result = await run(
      '--data',
      fixture,
      '--out',
      out,
      '--batch-size',
      '2',
      '--steps',
      '2',
      '--backend',
      'cpu',
      '--',
      '--size',
      '16',
      '--base-width',
      '8',
      '--sample-every',
      '1',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('9 images; training 16px x3, base width 8, 4x4 kernels, batch 2, 2 steps');
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({
      format: 'folder',
      kernelSize: 4,
      checkpointEvery: 1000,
    });
    expect(existsSync(join(out, 'checkpoint'))).toBe(true);
    expect(readdirSync(join(out, 'samples'))).toContain('step-000002.png');
  });

  it('explains a missing folder in one line', async () => {
    const result = await run('--data', join(directory, 'nope'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\ndcgan-train-imagenet32: error: .*nope: cannot read folder: ENOENT/);
  });
});
