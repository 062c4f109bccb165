import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
/** That fixture plus two planted near-duplicates (scripts/make-copies-fixture.py, py-lmdb and Pillow). */
const copiesFixture = join(here, '..', 'test', 'fixtures', 'bedroom_copies_lmdb');
const planted = JSON.parse(readFileSync(join(here, '..', 'test', 'fixtures', 'bedroom_copies_lmdb.json'), 'utf8')) as {
  copies: { key: string; index: number; copyOf: string; copyOfIndex: number }[];
};
/** A dedup step small enough for a test: one hasher epoch in batches of 2, no shift probes. */
const tinyDedup = ['--dedup-epochs', '1', '--dedup-batch-size', '2', '--dedup-shift-probes', '0'];
const tinyModel = ['--', '--size', '16', '--base-width', '8'];

/** What train recorded about each epoch's start (epochs.ndjson): the steps an epoch took show how many images it had. */
function epochStarts(out: string): { epoch: number; step: number }[] {
  return readFileSync(join(out, 'epochs.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { epoch: number; step: number });
}

/** Runs the built CLI. */
const run = (...argv: string[]) => runScript(cli, argv);

/** Starts the app as a user would, waits until `ready()` holds, sends `signal`, resolves when it ends. */
async function runUntilSignal(
  argv: readonly string[],
  ready: () => boolean,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!ready() && child.exitCode === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill(signal);
  const code = await closed;
  return { code, stdout, stderr };
}

/** Starts the app, waits for `steps` steps in metrics.ndjson, sends `signal`, resolves when it ends. */
async function trainUntilSignal(
  argv: readonly string[],
  out: string,
  signal: NodeJS.Signals,
  steps = 2,
): Promise<{ code: number | null; stdout: string; stderr: string; reached: number }> {
  const listed = () =>
    existsSync(join(out, 'metrics.ndjson'))
      ? readFileSync(join(out, 'metrics.ndjson'), 'utf8').trim().split('\n').length
      : 0;
  const result = await runUntilSignal(argv, () => listed() >= steps, signal);
  return { ...result, reached: listed() };
}

describe('paper settings', () => {
  it("are the paper's LSUN run: 64px RGB, base width 128, the authors' 5x5 kernels, batch 128, 5 epochs", () => {
    expect(lsunBedroomsSettings).toEqual({
      format: 'lmdb',
      size: 64,
      channels: 3,
      baseWidth: 128,
      kernelSize: 5,
      batchSize: 128,
      epochs: 5,
      seed: 1,
      sampleEvery: 500,
      checkpointEvery: 1000,
    });
    expect(stepsFor(3_033_042, 128, 5)).toBe(5 * 23_695);
  });
});

describe('dcgan-train-lsun-bedrooms', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dcgan-lsun-app-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('trains on an LSUN-format LMDB (tiny model, 5x5 kernels) and writes samples and a checkpoint', async () => {
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
      '--no-dedup',
      '--',
      '--size',
      '16',
      '--base-width',
      '8',
      '--sample-every',
      '1',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('7 images; training 16px x3, base width 8, 5x5 kernels, batch 2, 2 steps');
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({
      format: 'lmdb',
      size: 16,
      baseWidth: 8,
      kernelSize: 5,
      batchSize: 2,
      seed: 1,
      steps: 2,
      sampleEvery: 1,
      checkpointEvery: 1000,
    });
    const manifest = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as {
      options: { config: { kernelSize: number } };
    };
    expect(manifest.options.config.kernelSize).toBe(5);
    expect(readdirSync(join(out, 'samples'))).toContain('step-000002.png');
    expect(record.dedupReport).toBeUndefined();
    expect(existsSync(join(out, 'dedup'))).toBe(false);
    expect(result.stderr).not.toMatch(/^dedup/m);
  });

  it('explains a missing or broken LMDB in one line', async () => {
    const result = await run('--data', join(directory, 'nope'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\ndcgan-train-lsun-bedrooms: error: .*nope: cannot read LMDB environment: ENOENT/);
  });

  it('explains a bad option in one line', async () => {
    const result = await run('--data', fixture, '--epochs', '0');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      'dcgan-train-lsun-bedrooms: error: Expected `--epochs` to be an integer >= 1, got `0`',
    );
    const missing = await run('--epochs', '2');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'dcgan-train-lsun-bedrooms: error: Expected `--data <bedroom_train_lmdb>` (see --help)',
    );
    const unknown = await run('--data', fixture, '--size', '32');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^dcgan-train-lsun-bedrooms: error: Unknown option '--size'/);
    const both = await run('--data', fixture, '--no-dedup', '--dedup-report', 'r.json');
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe(
      'dcgan-train-lsun-bedrooms: error: `--no-dedup` trains on every image; it cannot be given with `--dedup-report`',
    );
    const probes = await run('--data', fixture, '--dedup-shift-probes', 'two');
    expect(probes.code).toBe(2);
    expect(probes.stderr.trim()).toBe(
      'dcgan-train-lsun-bedrooms: error: Expected `--dedup-shift-probes` to be an integer >= 0, got `two`',
    );
  });

  it('re-executes itself once with a libuv pool of one thread per core for sharp; dedups first by default (nothing to drop here)', async () => {
    const out = join(directory, 'pool');
    const result = await run(
      '--data',
      fixture,
      '--out',
      out,
      '--batch-size',
      '2',
      '--steps',
      '1',
      '--backend',
      'cpu',
      ...tinyDedup,
      ...tinyModel,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`; ${Math.max(4, availableParallelism())} images decoded at once`);
    const report = join(out, 'dedup', 'dedup-report.json');
    expect(result.stderr).toContain(
      `dedup: wrote ${report}: 0 of 7 items dropped as near-duplicates (0 groups, 1 undecodable)`,
    );
    expect((JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { dedupReport: string }).dedupReport).toBe(
      report,
    );
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    'on %s saves a checkpoint at the step reached and exits %i; --resume continues with the run own batch size and cadence',
    async (signal, exitCode) => {
      const out = join(directory, `signal-${signal}`);
      // 7 items in batches of 2: 3 steps an epoch, 40 epochs. Issue 20 bug 4: a resume counted steps in batches of 128.
      const argv = [
        '--data',
        fixture,
        '--out',
        out,
        '--batch-size',
        '2',
        '--epochs',
        '40',
        '--backend',
        'cpu',
        '--no-dedup',
        '--',
        '--size',
        '16',
        '--base-width',
        '8',
        '--sample-every',
        '2',
        '--checkpoint-every',
        '1000',
      ];
      const stopped = await trainUntilSignal(argv, out, signal);
      expect(stopped.code, stopped.stderr).toBe(exitCode);
      expect(stopped.stdout).toMatch(new RegExp(`^stopped: ${stopped.reached} steps`));
      const manifest = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as {
        completedSteps: number;
      };
      expect(manifest.completedSteps).toBe(stopped.reached);

      const resumed = await run(
        '--data',
        fixture,
        '--out',
        out,
        '--resume',
        '--steps',
        String(stopped.reached + 4),
        '--backend',
        'cpu',
      );
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
    },
  );

  it('dedups before training (4.1.1): drops the planted copies, asks to accept a drop over 5%, reuses the report, trains without the copies, and a resume does not dedup again', async () => {
    const out = join(directory, 'copies');
    const argv = [
      '--data',
      copiesFixture,
      '--out',
      out,
      '--batch-size',
      '2',
      '--steps',
      '6',
      '--backend',
      'cpu',
      ...tinyDedup,
    ];
    const report = join(out, 'dedup', 'dedup-report.json');

    // 2 of the 8 decodable images are copies: 25%, more than the guard's 5%, so training refuses until told.
    const refused = await run(...argv, ...tinyModel);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`dedup: training the hasher (1 epochs) into ${join(out, 'dedup', 'hasher.bin')}`);
    expect(refused.stderr).toContain(
      `dedup: wrote ${report}: 2 of 9 items dropped as near-duplicates (2 groups, 1 undecodable)`,
    );
    expect(refused.stderr).toContain(
      `dedup: WARNING: the report drops 2 of 8 images (25.0%), more than 5.0%; look at ${join(out, 'dedup', 'largest-groups.png')}`,
    );
    expect(refused.stderr).toMatch(
      /error: .*dedup-report\.json: the dedup report drops 2 of 8 items \(25\.0%\), more than the 5\.0% allowed.*--accept-dedup-drop/,
    );
    expect(existsSync(join(out, 'run.json'))).toBe(false);
    const groups = (
      JSON.parse(readFileSync(report, 'utf8')) as {
        groups: { kept: { index: number; key: string }; dropped: { index: number; key: string }[] }[];
      }
    ).groups;
    const found = groups.map((group) => ({
      kept: group.kept.key.split(':').at(-1),
      dropped: group.dropped.map((item) => item.key.split(':').at(-1)),
    }));
    expect(found).toEqual(
      expect.arrayContaining(planted.copies.map((copy) => ({ kept: copy.copyOf, dropped: [copy.key] }))),
    );
    expect(found).toHaveLength(2);
    const written = statSync(report).mtimeMs;

    // Accepted: the report is reused as it is (nothing trained or hashed again) and training leaves the copies out.
    const accepted = await run(...argv, '--accept-dedup-drop', ...tinyModel);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain(`dedup: reusing ${report}: 2 of 9 items dropped`);
    expect(accepted.stderr).not.toContain('dedup: training the hasher');
    expect(statSync(report).mtimeMs).toBe(written);
    expect(accepted.stderr).toContain('7 images (2 near-duplicates left out); training 16px x3');
    // What train recorded: the report in run.json, and epochs of 3 batches of 2 (the 6 decodable originals), where
    // all 9 items give epochs of 4 batches (8 decodable: the --no-dedup test below).
    expect((JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { dedupReport: string }).dedupReport).toBe(
      report,
    );
    expect(accepted.stderr).toContain(`dedup: 2 of 9 items dropped by ${report}`);
    expect(epochStarts(out)).toEqual([
      { epoch: 0, step: 0 },
      { epoch: 1, step: 3 },
    ]);

    const resumed = await run('--data', copiesFixture, '--out', out, '--resume', '--steps', '7', '--backend', 'cpu');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('dedup (section 4.1.1)');
    expect(resumed.stderr).toContain(`dedup: 2 of 9 items dropped by ${report}`);
    expect(statSync(report).mtimeMs).toBe(written);
    expect(epochStarts(out).at(-1)).toEqual({ epoch: 2, step: 6 });
    const again = await run('--data', copiesFixture, '--out', out, '--resume', '--no-dedup');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('`--no-dedup` cannot be given with --resume');

    // A report given with --dedup-report is used as it is: no dedup step.
    const given = join(directory, 'given-report.json');
    copyFileSync(report, given);
    const other = join(directory, 'given');
    const withReport = await run(
      '--data',
      copiesFixture,
      '--out',
      other,
      '--batch-size',
      '2',
      '--steps',
      '1',
      '--backend',
      'cpu',
      '--dedup-report',
      given,
      '--accept-dedup-drop',
      ...tinyModel,
    );
    expect(withReport.code, withReport.stderr).toBe(0);
    expect(withReport.stderr).not.toContain('dedup (section 4.1.1)');
    expect(existsSync(join(other, 'dedup'))).toBe(false);
    expect((JSON.parse(readFileSync(join(other, 'run.json'), 'utf8')) as { dedupReport: string }).dedupReport).toBe(
      given,
    );
  });

  it('--no-dedup trains on every image', async () => {
    const out = join(directory, 'all-images');
    const result = await run(
      '--data',
      copiesFixture,
      '--out',
      out,
      '--batch-size',
      '2',
      '--steps',
      '5',
      '--backend',
      'cpu',
      '--no-dedup',
      ...tinyModel,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('9 images; training 16px x3');
    expect(result.stderr).not.toMatch(/^dedup/m);
    expect(existsSync(join(out, 'dedup'))).toBe(false);
    expect(
      (JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { dedupReport?: string }).dedupReport,
    ).toBeUndefined();
    expect(epochStarts(out)).toEqual([
      { epoch: 0, step: 0 },
      { epoch: 1, step: 4 },
    ]);
  });

  it('on SIGINT during the dedup step keeps the hasher epochs finished, trains nothing and exits 130', async () => {
    const out = join(directory, 'dedup-stopped');
    const hasher = join(out, 'dedup', 'hasher.bin');
    const argv = [
      '--data',
      copiesFixture,
      '--out',
      out,
      '--batch-size',
      '2',
      '--steps',
      '2',
      '--backend',
      'cpu',
      ...tinyDedup.slice(2),
      '--dedup-epochs',
      '100',
      ...tinyModel,
    ];
    const stopped = await runUntilSignal(argv, () => existsSync(hasher), 'SIGINT');
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(
      /dedup: stopped; .*hasher\.bin keeps \d+ finished epoch\(s\), the same command continues/,
    );
    expect(stopped.stderr).toMatch(
      /stopped: hasher training stopped; .*hasher\.bin holds the last finished epoch \(\d+\); rerun to continue/,
    );
    expect(existsSync(hasher)).toBe(true);
    expect(existsSync(join(out, 'dedup', 'dedup-report.json'))).toBe(false);
    expect(existsSync(join(out, 'run.json'))).toBe(false);
  });

  it('prints its help, which names the pass-through to dcgan-train', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dcgan-train-lsun-bedrooms --data <bedroom_train_lmdb>');
    expect(result.stdout).toContain('e.g. -- --strict');
  });
});
