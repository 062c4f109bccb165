import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runScript } from '@dcgan/vitest-config/run-script';
import { afterAll, describe, expect, it } from 'vitest';

import { stepsFor } from '@dcgan/cli';

import { lsunBedroomsSettings } from './paper-settings';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const fixture = join(here, '..', '..', '..', 'packages', 'data', 'test', 'fixtures', 'lmdb', 'bedroom_train_lmdb');

/** Runs the built CLI. */
const run = (...argv: string[]) => runScript(cli, argv);

/** Starts the app as a user would, waits for `steps` steps in metrics.ndjson, sends `signal`, resolves when it ends. */
async function trainUntilSignal(argv: readonly string[], out: string, signal: NodeJS.Signals, steps = 2): Promise<{ code: number | null; stdout: string; stderr: string; reached: number }> {
  const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const listed = () => (existsSync(join(out, 'metrics.ndjson')) ? readFileSync(join(out, 'metrics.ndjson'), 'utf8').trim().split('\n').length : 0);
  const deadline = Date.now() + 90_000;
  while (listed() < steps && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill(signal);
  const code = await closed;
  return { code, stdout, stderr, reached: listed() };
}

describe('paper settings', () => {
  it("are the paper's LSUN run: 64px RGB, base width 128, the authors' 5x5 kernels, batch 128, 5 epochs", () => {
    expect(lsunBedroomsSettings).toEqual({ format: 'lmdb', size: 64, channels: 3, baseWidth: 128, kernelSize: 5, batchSize: 128, epochs: 5, seed: 1, sampleEvery: 500, checkpointEvery: 1000 });
    expect(stepsFor(3_033_042, 128, 5)).toBe(5 * 23_695);
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
    expect(result.stderr).toContain('7 images; training 16px x3, base width 8, 5x5 kernels, batch 2, 2 steps');
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ format: 'lmdb', size: 16, baseWidth: 8, kernelSize: 5, batchSize: 2, seed: 1, steps: 2, sampleEvery: 1, checkpointEvery: 1000 });
    const manifest = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { options: { config: { kernelSize: number } } };
    expect(manifest.options.config.kernelSize).toBe(5);
    expect(readdirSync(join(out, 'samples'))).toContain('step-000002.png');
  });

  it('explains a missing or broken LMDB in one line', async () => {
    const result = await run('--data', join(directory, 'nope'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\ndcgan-train-lsun-bedrooms: error: .*nope: cannot read LMDB environment: ENOENT/);
  });

  it('explains a bad option in one line', async () => {
    const result = await run('--data', fixture, '--epochs', '0');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe('dcgan-train-lsun-bedrooms: error: Expected `--epochs` to be an integer >= 1, got `0`');
    const missing = await run('--epochs', '2');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('dcgan-train-lsun-bedrooms: error: Expected `--data <bedroom_train_lmdb>` (see --help)');
    const unknown = await run('--data', fixture, '--size', '32');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^dcgan-train-lsun-bedrooms: error: Unknown option '--size'/);
  });

  it('re-executes itself once with a libuv pool of one thread per core for sharp', async () => {
    const out = join(directory, 'pool');
    const result = await run('--data', fixture, '--out', out, '--batch-size', '2', '--steps', '1', '--backend', 'cpu', '--', '--size', '16', '--base-width', '8');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`; ${Math.max(4, availableParallelism())} images decoded at once`);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('on %s saves a checkpoint at the step reached and exits %i; --resume continues with the run own batch size and cadence', async (signal, exitCode) => {
    const out = join(directory, `signal-${signal}`);
    // 7 items in batches of 2: 3 steps an epoch, 40 epochs. Issue 20 bug 4: a resume counted steps in batches of 128.
    const argv = ['--data', fixture, '--out', out, '--batch-size', '2', '--epochs', '40', '--backend', 'cpu', '--', '--size', '16', '--base-width', '8', '--sample-every', '2', '--checkpoint-every', '1000'];
    const stopped = await trainUntilSignal(argv, out, signal);
    expect(stopped.code, stopped.stderr).toBe(exitCode);
    expect(stopped.stdout).toMatch(new RegExp(`^stopped: ${stopped.reached} steps`));
    const manifest = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { completedSteps: number };
    expect(manifest.completedSteps).toBe(stopped.reached);

    const resumed = await run('--data', fixture, '--out', out, '--resume', '--steps', String(stopped.reached + 4), '--backend', 'cpu');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`at step ${stopped.reached}`);
    expect(resumed.stdout).toMatch(new RegExp(`^done: ${stopped.reached + 4} steps`));
    const even = stopped.reached + 4 - ((stopped.reached + 4) % 2);
    expect(readdirSync(join(out, 'samples'))).toContain(`step-${String(even).padStart(6, '0')}.png`);
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { batchSize: number; steps: number };
    expect(record).toMatchObject({ batchSize: 2, steps: stopped.reached + 4 });
    // Without --steps or --epochs, a resume trains to the run's own target.
    writeFileSync(join(out, 'run.json'), JSON.stringify({ ...record, steps: stopped.reached + 5 }));
    const again = await run('--data', fixture, '--out', out, '--resume', '--backend', 'cpu');
    expect(again.stdout).toMatch(new RegExp(`^done: ${stopped.reached + 5} steps`));
    expect(await run('--data', fixture, '--out', out, '--resume', '--batch-size', '4')).toMatchObject({ code: 2 });
  });

  it('prints its help, which names the pass-through to dcgan-train', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dcgan-train-lsun-bedrooms --data <bedroom_train_lmdb>');
    expect(result.stdout).toContain('e.g. -- --strict');
  });
});
