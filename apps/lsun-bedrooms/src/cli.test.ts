import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { buildTrainArguments, stepsFor } from '@dcgan/train-app/paper-run';

import { lsunBedroomsSettings } from './paper-settings';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const fixture = join(here, '..', '..', '..', 'packages', 'data', 'test', 'fixtures', 'lmdb', 'bedroom_train_lmdb');

/** Runs the built CLI without blocking the test worker (vitest's RPC times out on a long spawnSync). */
function run(...argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('paper settings', () => {
  it("runs dcgan-train with the paper LSUN settings: 64px RGB, base width 128, the authors' 5x5 kernels, batch 128, 5 epochs", () => {
    const argumentsList = buildTrainArguments(lsunBedroomsSettings, {
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
      '--data /data/bedroom_train_lmdb --format lmdb --size 64 --channels 3 --base-width 128 --kernel-size 5 --batch-size 128 --seed 1 --sample-every 500 --checkpoint-every 1000 --out runs/x --steps 118475 --backend auto',
    );
    expect(stepsFor(3_033_042, 128, 5)).toBe(5 * 23_695);
  });

  it('resumes with the same step budget and refuses a set smaller than a batch', () => {
    const base = { data: 'd', out: 'o', imageCount: 1000, epochs: 1, batchSize: 100, steps: undefined, backend: 'wasm', resume: true, extra: ['--sample-every', '5'] };
    expect(buildTrainArguments(lsunBedroomsSettings, base)).toEqual(['--resume', '--out', 'o', '--steps', '10', '--backend', 'wasm', '--sample-every', '5']);
    expect(() => buildTrainArguments(lsunBedroomsSettings, { ...base, imageCount: 50 })).toThrow(
      'd holds 50 images, fewer than one batch of 100; pass a smaller --batch-size',
    );
  });
});

describe('dcgan-train-lsun-bedrooms', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dcgan-lsun-app-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('trains on an LSUN-format LMDB (tiny model, 5x5 kernels) and writes samples and a checkpoint', async () => {
    const out = join(directory, 'run');
    const result = await run(
      '--data', fixture, '--out', out, '--batch-size', '2', '--steps', '2', '--backend', 'cpu',
      '--', '--size', '16', '--base-width', '8', '--sample-every', '1',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/7 images; running: dcgan-train --data .* --format lmdb --size 64 .*--kernel-size 5 .* --size 16 --base-width 8/);
    const manifest = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { options: { config: { kernelSize: number } } };
    expect(manifest.options.config.kernelSize).toBe(5);
    expect(readdirSync(join(out, 'samples'))).toContain('step-000002.png');
  });

  it('explains a missing or broken LMDB in one line', async () => {
    const result = await run('--data', join(directory, 'nope'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\ndcgan-train-lsun-bedrooms: error: .*nope: cannot read LMDB environment: ENOENT/);
  });

  it('explains a bad option in one line', async () => {
    const result = await run('--data', fixture, '--epochs', '0');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe('dcgan-train-lsun-bedrooms: error: Expected `--epochs` to be a positive integer, got `0`');
    const missing = await run('--epochs', '2');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('dcgan-train-lsun-bedrooms: error: Expected `--data <bedroom_train_lmdb>` (see --help)');
    const unknown = await run('--data', fixture, '--size', '32');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^dcgan-train-lsun-bedrooms: error: Unknown option '--size'/);
  });

  it('starts dcgan-train with a libuv pool of one thread per core for sharp (seen by its --doctor)', async () => {
    const result = await run('--data', fixture, '--batch-size', '2', '--', '--doctor');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`, ${Math.max(4, availableParallelism())} at once (libuv's thread pool`);
  });

  it('prints its help, which names the pass-through to dcgan-train', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dcgan-train-lsun-bedrooms --data <bedroom_train_lmdb>');
    expect(result.stdout).toContain('e.g. -- --strict');
  });
});
