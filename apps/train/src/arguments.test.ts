import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { UsageError } from '@dcgan/cli';
import { describe, expect, it } from 'vitest';

import { parseTrainArguments } from './arguments';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

function failure(...argv: string[]): string {
  try {
    parseTrainArguments(argv);
  } catch (error) {
    expect(UsageError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseTrainArguments: sane upper bounds, checked before anything is built', () => {
  it('bounds the model: image size, base width, and the parameter count they make together', () => {
    expect(failure('--quickstart', '--size', '1048576')).toBe(
      'Expected `--size` to be an integer in [16, 1024], got `1048576`',
    );
    expect(failure('--quickstart', '--base-width', '100000')).toBe(
      'Expected `--base-width` to be an integer in [1, 4096], got `100000`',
    );
    expect(failure('--quickstart', '--size', '1024', '--base-width', '64')).toBe(
      'A 1024px model with --base-width 64 has 1,445 million parameters (G 729, D 716); at most 250 million are allowed: lower --base-width or --size',
    );
    // The paper's models pass: 64px base width 128 with 5x5 kernels (the faces run), and 128px base width 64.
    expect(
      parseTrainArguments([
        '--quickstart',
        '--size',
        '64',
        '--base-width',
        '128',
        '--kernel-size',
        '5',
        '--channels',
        '3',
      ]).baseWidth,
    ).toBe(128);
    expect(parseTrainArguments(['--quickstart', '--size', '128', '--base-width', '64']).size).toBe(128);
  });

  it('bounds counts that would only be typos: batch size, steps, cadences, seed, time limit', () => {
    expect(failure('--quickstart', '--batch-size', '1000000')).toBe(
      'Expected `--batch-size` to be an integer in [1, 16384], got `1000000`',
    );
    expect(failure('--quickstart', '--steps', '1e300')).toBe(
      'Expected `--steps` to be an integer in [1, 1000000000], got `1e300`',
    );
    expect(failure('--quickstart', '--sample-every', '1e12')).toMatch(
      /^Expected `--sample-every` to be an integer in \[1, 1000000000\]/,
    );
    expect(failure('--quickstart', '--checkpoint-every', '1e12')).toMatch(
      /^Expected `--checkpoint-every` to be an integer in \[1, 1000000000\]/,
    );
    expect(failure('--quickstart', '--seed', '1e20')).toBe(
      'Expected `--seed` to be an integer in [0, 9007199254740991], got `1e20`',
    );
    expect(failure('--quickstart', '--time-limit', '1e300')).toBe(
      'Expected `--time-limit` to be at most 10000000 minutes, got `1e300`',
    );
    expect(parseTrainArguments(['--quickstart', '--batch-size', '4096', '--steps', '1000000000']).steps).toBe(
      1_000_000_000,
    );
  });

  it('the CLI answers in one line, at once, and creates nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dcgan-train-arguments-')), 'run');
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [cli, '--quickstart', '--base-width', '100000', '--out', out], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'dcgan-train: error: Expected `--base-width` to be an integer in [1, 4096], got `100000`\n',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(out)).toBe(false);
  });
});

describe('FID/KID flags', () => {
  it('turns FID on every 400 steps for the 32px quickstart only, and off with --no-fid', () => {
    expect(parseTrainArguments(['--quickstart']).fidEvery).toBe(400);
    expect(parseTrainArguments(['--quickstart']).fidSamples).toBe(500);
    expect(parseTrainArguments(['--quickstart', '--size', '16']).fidEvery).toBeNull();
    expect(parseTrainArguments(['--quickstart', '--no-fid']).fidEvery).toBeNull();
    expect(parseTrainArguments(['--data', 'x']).fidEvery).toBeNull();
    expect(
      parseTrainArguments(['--data', 'x', '--fid-every', '50', '--fid-model', 'm/model.json', '--fid-layer', 'pool'])
        .fidEvery,
    ).toBe(50);
    expect(() => parseTrainArguments(['--data', 'x', '--fid-model', 'm/model.json'])).toThrow(
      '`--fid-model <model.json>` and `--fid-layer <name>` go together',
    );
    expect(() => parseTrainArguments(['--quickstart', '--fid-every', '0'])).toThrow(
      'Expected `--fid-every` to be an integer in [1, 1000000000], got `0`',
    );
  });
});
