import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
  existsSync,
  statSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openImageFolder } from '@dcgan/data';
import {
  buildDedupReport,
  createExactPixelHasher,
  findDuplicateGroups,
  hashSource,
  writeDedupReport,
} from '@dcgan/dedup';
import { runScript } from '@dcgan/vitest-config/run-script';
import { describe, expect, it } from 'vitest';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

/** Runs the built CLI. */
const run = (...argv: string[]) => runScript(cli, argv);

function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'dcgan-train-test-'));
}

describe('dcgan-train on bad input: one clear line, non-zero exit, nothing overwritten', () => {
  it('rejects a size that is not a power of two', async () => {
    const result = await run('--quickstart', '--size', '48');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('dcgan-train: error: Expected `--size` to be a power of two >= 16, got `48`');
  });

  it('rejects a missing dataset path', async () => {
    const out = join(temporaryDirectory(), 'run');
    const result = await run('--data', '/nonexistent/bedrooms', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('dcgan-train: error: Dataset path /nonexistent/bedrooms does not exist');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an output directory that holds another run', async () => {
    const out = temporaryDirectory();
    writeFileSync(join(out, 'run.json'), '{"precious":true}\n');
    const result = await run('--quickstart', '--out', out, '--steps', '1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Output directory ${out} already holds a run (run.json); resume it`);
    expect(readFileSync(join(out, 'run.json'), 'utf8')).toBe('{"precious":true}\n');
    expect(readdirSync(out)).toEqual(['run.json']);
  });

  it('refuses an unknown flag and a bad backend name', async () => {
    expect((await run('--quickstart', '--epochz', '3')).stderr).toMatch(
      /^dcgan-train: error: Unknown option '--epochz'/,
    );
    const backend = await run('--quickstart', '--backend', 'webgl');
    expect(backend.code).toBe(2);
    expect(backend.stderr).toContain(
      'Expected `--backend` to be one of auto | tensorflow-gpu | webgpu | tensorflow | wasm | cpu, got `webgl`',
    );
    const threads = await run('--quickstart', '--wasm-threads', '9');
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain('Expected `--wasm-threads` to be 1-8, auto or fastest, got `9`');
  });

  it('prints help and a doctor report', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('dcgan-train --quickstart');
    const doctor = await run('--doctor');
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/ok {2}wasm +@tensorflow\/tfjs-backend-wasm +loads and runs/);
    const cores = Math.min(8, availableParallelism());
    expect(doctor.stdout).toContain(
      `wasm runs on ${cores} thread${cores === 1 ? '' : 's'} (os.availableParallelism() = ${availableParallelism()}, at most 8`,
    );
    expect(doctor.stdout).toMatch(
      /no {2}tensorflow-gpu +@tensorflow\/tfjs-node-gpu +@tensorflow\/tfjs-node-gpu is not installed/,
    );
    expect(doctor.stdout).toContain('to enable the GPU path: pnpm add @tensorflow/tfjs-node-gpu@4.22.0');
    // The webgpu row and the adapters Dawn found (lavapipe in CI; none without a Vulkan driver).
    expect(doctor.stdout).toMatch(/(ok|no) {2}webgpu +@tensorflow\/tfjs-backend-webgpu /);
    expect(doctor.stdout).toContain('WebGPU adapters (Dawn):');
    expect(doctor.stdout).toContain('ok  JPEG fast path (DCT-domain decode on worker threads)');
    expect(doctor.stdout).toMatch(/ok {2}sharp \d+\.\d+\.\d+ \(libvips \d+\.\d+\.\d+\)/);
    // libuv's pool size as the process started: 4, or what UV_THREADPOOL_SIZE said.
    expect(doctor.stdout).toContain(`, ${process.env.UV_THREADPOOL_SIZE ?? '4'} at once (libuv's thread pool`);
    const userSet = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [cli, '--doctor'], {
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, UV_THREADPOOL_SIZE: '7' },
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.on('error', reject);
      child.on('close', () => resolve(stdout));
    });
    expect(userSet).toContain(", 7 at once (libuv's thread pool");
  });
});

describe('dcgan-train on each dataset format (committed fixtures written by scipy, py-lmdb, numpy, PIL)', () => {
  const fixtures = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'packages',
    'data',
    'test',
    'fixtures',
  );
  const cases: [string, string, RegExp][] = [
    ['cifar10', 'cifar-10-batches-bin', /CIFAR-10 images from/],
    ['svhn', 'svhn/train_32x32.mat', /SVHN digits from/],
    ['idx', 'idx/t10k-images-idx3-ubyte.gz', /images from the IDX file/],
    ['lmdb', 'lmdb/bedroom_train_lmdb', /images in the LMDB/],
    ['folder', 'images', /images under/],
  ];
  it.each(cases)('guesses %s from the path and trains a step', async (_format, path, description) => {
    const out = join(temporaryDirectory(), 'run');
    const result = await run(
      '--data',
      join(fixtures, path),
      '--size',
      '16',
      '--base-width',
      '8',
      '--batch-size',
      '2',
      '--steps',
      '1',
      '--out',
      out,
      '--backend',
      'wasm',
    );
    expect(result.stderr).toMatch(description);
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'checkpoint', 'checkpoint.json'))).toBe(true);
  });

  it('runs several epochs and resumes exactly across an epoch boundary', async () => {
    // 8 CIFAR images in batches of 3: 2 batches an epoch. 7 steps straight vs 3 steps (mid-epoch 1) + resume.
    const data = join(fixtures, 'cifar-10-batches-bin');
    const common = [
      '--data',
      data,
      '--size',
      '16',
      '--base-width',
      '8',
      '--batch-size',
      '3',
      '--checkpoint-every',
      '2',
      '--backend',
      'wasm',
    ];
    const straight = join(temporaryDirectory(), 'straight');
    const split = join(temporaryDirectory(), 'split');
    expect((await run(...common, '--steps', '7', '--out', straight)).code).toBe(0);
    const epochs = readFileSync(join(straight, 'metrics.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { epoch: number }).epoch);
    expect(epochs).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect((await run(...common, '--steps', '3', '--out', split)).code).toBe(0);
    expect((await run('--resume', '--out', split, '--steps', '7', '--backend', 'wasm')).code).toBe(0);
    const weights = (directory: string) =>
      readFileSync(
        join(
          directory,
          'checkpoint',
          readdirSync(join(directory, 'checkpoint')).find((name) => name.endsWith('.bin'))!,
        ),
      );
    expect(weights(split).equals(weights(straight))).toBe(true);
  });

  it('lists unreadable images in skipped.ndjson as it meets them, with the reason, and trains on', async () => {
    const out = join(temporaryDirectory(), 'run');
    const result = await run(
      '--data',
      join(fixtures, 'images'),
      '--size',
      '16',
      '--base-width',
      '8',
      '--batch-size',
      '2',
      '--steps',
      '2',
      '--out',
      out,
      '--backend',
      'wasm',
    );
    expect(result.code).toBe(0);
    const skipped = readFileSync(join(out, 'skipped.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { epoch: number; key: string; reason: string });
    // Stopped inside epoch 0: its three bad files (made so by scripts/make-fixtures.py) are listed all the same.
    expect(
      skipped
        .filter((entry) => entry.epoch === 0)
        .map((entry) => entry.key.split('/').slice(-2).join('/'))
        .sort(),
    ).toEqual(['cat/noise.png', 'dog/empty.jpg', 'dog/truncated.jpg']);
    // The JPEG fast path declines the truncated file; sharp's verdict is the one reported.
    expect(skipped.find((entry) => entry.key.endsWith('truncated.jpg'))?.reason).toMatch(
      /VipsJpeg: premature end of JPEG/,
    );
    expect(skipped.every((entry) => entry.reason.length > 0)).toBe(true);
    expect(result.stderr).toMatch(/skipped .*truncated\.jpg: /);
  });

  it('--strict stops at the first unreadable image, naming it, with the steps before it saved', async () => {
    const data = join(temporaryDirectory(), 'images');
    cpSync(join(fixtures, 'images', 'cat', 'a.png'), join(data, 'good', 'a-00.png'));
    for (let index = 1; index < 40; index += 1)
      copyFileSync(join(data, 'good', 'a-00.png'), join(data, 'good', `a-${String(index).padStart(2, '0')}.png`));
    copyFileSync(join(fixtures, 'images', 'dog', 'truncated.jpg'), join(data, 'truncated.jpg'));
    const out = join(temporaryDirectory(), 'run');
    const common = [
      '--size',
      '16',
      '--base-width',
      '8',
      '--batch-size',
      '2',
      '--checkpoint-every',
      '1000',
      '--backend',
      'wasm',
    ];
    const result = await run('--data', data, ...common, '--steps', '40', '--out', out, '--strict');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/truncated\.jpg: .*\(strict mode\)/);
    // The seeded order puts the bad file after some batches: those steps are kept.
    const trained = readFileSync(join(out, 'metrics.ndjson'), 'utf8').trim().split('\n').length;
    expect(trained).toBeGreaterThan(0);
    expect(trained).toBeLessThan(20);
    expect(result.stderr).toContain(`checkpoint saved (continue with --resume --out ${out})`);
    const resumed = await run('--resume', '--out', out, '--steps', String(trained + 1), '--backend', 'wasm');
    expect(resumed.stderr).toContain(`at step ${trained}`);
  });

  it('says so when the data cannot fill one batch', async () => {
    const result = await run(
      '--data',
      join(fixtures, 'images'),
      '--size',
      '16',
      '--base-width',
      '8',
      '--batch-size',
      '4096',
      '--steps',
      '1',
      '--out',
      join(temporaryDirectory(), 'run'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/gave no full batch of 4096 images this epoch .*use a smaller batch size/);
  });
});

describe('dcgan-train on real digits', () => {
  const small = [
    '--quickstart',
    '--size',
    '16',
    '--base-width',
    '8',
    '--batch-size',
    '8',
    '--sample-every',
    '2',
    '--checkpoint-every',
    '2',
  ];

  it('trains, writes grids, metrics, a checkpoint and a generator, then resumes where it stopped', async () => {
    const out = join(temporaryDirectory(), 'run');
    const first = await run(...small, '--steps', '3', '--out', out, '--backend', 'wasm');
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    // The quickstart times the model on 1 thread and on every core and keeps the faster.
    if (availableParallelism() > 1)
      expect(first.stderr).toMatch(/wasm threads: \d \(fastest step on this model; \d+: \d+ ms, 1: \d+ ms\)/);
    expect(readdirSync(join(out, 'samples')).sort()).toEqual(['step-000000.png', 'step-000002.png', 'step-000003.png']);
    expect(statSync(join(out, 'samples', 'step-000003.png')).size).toBeGreaterThan(100);
    expect(existsSync(join(out, 'generator', 'model.json'))).toBe(true);
    const metrics = () =>
      readFileSync(join(out, 'metrics.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { step: number; discriminatorLoss: number });
    expect(metrics().map((entry) => entry.step)).toEqual([1, 2, 3]);
    expect(metrics().every((entry) => Number.isFinite(entry.discriminatorLoss))).toBe(true);

    const second = await run('--resume', '--out', out, '--steps', '5', '--backend', 'wasm');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('resuming');
    expect(second.stderr).toContain('at step 3');
    expect(metrics().map((entry) => entry.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('prints FID/KID with the real-vs-real floor during a 32px quickstart and in the summary', async () => {
    const out = join(temporaryDirectory(), 'run');
    const result = await run(
      '--quickstart',
      '--base-width',
      '8',
      '--batch-size',
      '8',
      '--steps',
      '3',
      '--fid-every',
      '2',
      '--fid-samples',
      '30',
      '--out',
      out,
      '--backend',
      'cpu',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /step 2: FID \d+\.\d\d, KID -?\d+\.\d{4} ± \d+\.\d{4} \(30 images, \d+\.\d s\); real-vs-real floor FID \d+\.\d\d/,
    );
    expect(result.stderr).toMatch(/step 3: FID \d+\.\d\d/);
    expect(result.stdout).toMatch(
      new RegExp(
        `quality: +FID \\d+\\.\\d\\d \\(real-vs-real floor \\d+\\.\\d\\d\\), KID .* at step 3; all: ${out}/quality.ndjson`,
      ),
    );
    const lines = readFileSync(join(out, 'quality.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: number });
    expect(lines.map((line) => line.step)).toEqual([2, 3]);
  });

  it('resumes exactly: 3 steps + resume to 5 gives the same weights as 5 steps straight', async () => {
    const straight = join(temporaryDirectory(), 'straight');
    const split = join(temporaryDirectory(), 'split');
    expect((await run(...small, '--steps', '5', '--out', straight, '--backend', 'wasm')).code).toBe(0);
    expect((await run(...small, '--steps', '3', '--out', split, '--backend', 'wasm')).code).toBe(0);
    expect((await run('--resume', '--out', split, '--steps', '5', '--backend', 'wasm')).code).toBe(0);
    const weights = (directory: string) =>
      readFileSync(
        join(
          directory,
          'checkpoint',
          readdirSync(join(directory, 'checkpoint')).find((name) => name.endsWith('.bin'))!,
        ),
      );
    expect(weights(split).equals(weights(straight))).toBe(true);
  });

  it("trains the authors' 5x5-kernel variant and keeps it on resume", async () => {
    const out = join(temporaryDirectory(), 'run');
    expect((await run(...small, '--kernel-size', '5', '--steps', '1', '--out', out, '--backend', 'wasm')).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as {
      options: { config: { kernelSize: number } };
    };
    expect(manifest.options.config.kernelSize).toBe(5);
    expect((await run('--resume', '--out', out, '--steps', '2', '--backend', 'wasm')).code).toBe(0);
    expect((await run('--quickstart', '--kernel-size', '3')).stderr).toContain(
      'Expected `--kernel-size` to be 4 or 5, got `3`',
    );
  });

  it('stops at --time-limit with everything saved, as a normal end', async () => {
    const out = join(temporaryDirectory(), 'run');
    const result = await run(...small, '--steps', '100000', '--time-limit', '0.05', '--out', out, '--backend', 'wasm');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/time limit of 0.05 min reached at step \d+; saving/);
    expect(result.stdout).toMatch(/^time limit reached: \d+ steps/);
    const steps = readFileSync(join(out, 'metrics.ndjson'), 'utf8').trim().split('\n').length;
    expect(steps).toBeLessThan(100000);
    expect(existsSync(join(out, 'checkpoint', 'checkpoint.json'))).toBe(true);
    expect((await run('--quickstart', '--time-limit', '0')).stderr).toContain(
      'Expected `--time-limit` to be a number of minutes > 0, got `0`',
    );
  });

  it('refuses to resume from a corrupt checkpoint, naming the file', async () => {
    const out = join(temporaryDirectory(), 'run');
    expect((await run(...small, '--steps', '1', '--out', out, '--backend', 'wasm')).code).toBe(0);
    const manifest = join(out, 'checkpoint', 'checkpoint.json');
    writeFileSync(manifest, '{"truncated": ');
    const result = await run('--resume', '--out', out, '--steps', '2', '--backend', 'wasm');
    expect(result.code).toBe(1);
    const errorLines = result.stderr.split('\n').filter((line) => line.includes('error'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^dcgan-train: error: /);
    expect(errorLines[0]).toContain(manifest);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(manifest, 'utf8')).toBe('{"truncated": ');
  });
});

describe('dcgan-train --dedup-report (section 4.1.1: train on the deduplicated set)', () => {
  const fixtures = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'packages',
    'data',
    'test',
    'fixtures',
    'images',
  );
  const tiny = ['--size', '16', '--base-width', '8', '--batch-size', '2', '--backend', 'wasm'];

  /** A copy of the image-folder fixture with cat/a.png also stored as dog/z-copy.png, and a real report on it. */
  async function folderWithDuplicate(): Promise<{ data: string; report: string }> {
    const root = temporaryDirectory();
    const data = join(root, 'images');
    cpSync(fixtures, data, { recursive: true });
    copyFileSync(join(data, 'cat', 'a.png'), join(data, 'dog', 'z-copy.png'));
    const source = await openImageFolder(data);
    try {
      const hashes = await hashSource(source, createExactPixelHasher());
      const report = buildDedupReport(hashes, findDuplicateGroups(hashes));
      // The report itself is checked here, so that the CLI assertions below test the CLI and not the hasher.
      expect(report.groups.map((group) => [group.kept.key, group.dropped.map((item) => item.key)])).toEqual([
        [join(data, 'cat', 'a.png'), [join(data, 'dog', 'z-copy.png')]],
      ]);
      const path = join(root, 'dedup-report.json');
      await writeDedupReport(path, report);
      return { data, report: path };
    } finally {
      await source.close();
    }
  }

  it('leaves out the duplicate, says so, records the report and uses it on --resume', async () => {
    const { data, report } = await folderWithDuplicate();
    const items = (await openImageFolder(data)).length!;
    const out = join(temporaryDirectory(), 'run');
    // The fixture is tiny, so its one duplicate is more than 5% of it: refused unless accepted (the data-loss guard).
    const refused = await run('--data', data, '--dedup-report', report, ...tiny, '--steps', '1', '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `${report.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the dedup report drops 1 of \\d+ items \\([\\d.]+%\\), more than the 5\\.0% allowed; largest groups: 2 items kept as .*a\\.png\\..*; set \`acceptDedupDrop\` \\(dcgan-train: --accept-dedup-drop\\) to train on it anyway\n$`,
      ),
    );
    expect(existsSync(join(out, 'run.json'))).toBe(false);
    const first = await run(
      '--data',
      data,
      '--dedup-report',
      report,
      '--accept-dedup-drop',
      ...tiny,
      '--steps',
      '1',
      '--out',
      out,
    );
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`dedup: 1 of ${items} items dropped by ${report}\n`);
    expect(first.stderr).toContain(
      `data: ${items} images under ${data}; ${items - 1} used, 1 duplicate(s) left out; model 16px`,
    );
    expect((JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { dedupReport?: string }).dedupReport).toBe(
      report,
    );
    expect(existsSync(join(out, 'checkpoint', 'checkpoint.json'))).toBe(true);

    const resumed = await run('--resume', '--out', out, '--steps', '2', '--backend', 'wasm');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`dedup: 1 of ${items} items dropped by ${report}\n`);
    const other = await run(
      '--resume',
      '--out',
      out,
      '--steps',
      '3',
      '--dedup-report',
      join(data, '..', 'another.json'),
    );
    expect(other.code).toBe(1);
    expect(other.stderr.trim()).toBe(
      `dcgan-train: error: Cannot resume ${out} with the dedup report ${join(data, '..', 'another.json')}: the run was made with ${report} and a resumed run uses its data as recorded`,
    );
  });

  it('refuses a report made from another source, naming the report, before writing anything', async () => {
    const { report } = await folderWithDuplicate();
    const out = join(temporaryDirectory(), 'run');
    const result = await run('--data', fixtures, '--dedup-report', report, ...tiny, '--steps', '1', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^dcgan-train: error: ${report.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: The dedup report covers \\d+ items of .*; it was made from another source\n$`,
      ),
    );
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['not JSON', '{"format": "dcgan-dedup-', /cannot read the dedup report: /],
    ['another kind of JSON', '{"precious": true}', /not a dedup report \(no `format: "dcgan-dedup-report"`\)/],
    ['incomplete', '{"format": "dcgan-dedup-report", "version": 1}', /the dedup report is incomplete/],
    [
      'a group dropping an item the source does not have',
      JSON.stringify({
        format: 'dcgan-dedup-report',
        version: 1,
        source: { description: 'x', itemsRead: 3 },
        counts: { dropped: 1 },
        groups: [{ kept: { index: 0, key: 'a' }, dropped: [{ index: 7, key: 'b' }] }],
      }),
      /the dedup report is malformed: group 0 drops \{"index":7,"key":"b"\}, not an \{index < 3, key\} item/,
    ],
  ])('refuses a malformed report (%s) with one line naming it', async (_case, text, message) => {
    const report = join(temporaryDirectory(), 'dedup-report.json');
    writeFileSync(report, text);
    const out = join(temporaryDirectory(), 'run');
    const result = await run('--data', fixtures, '--dedup-report', report, ...tiny, '--steps', '1', '--out', out);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dcgan-train: error: /);
    expect(lines[0]).toContain(`${report}: `);
    expect(lines[0]).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('lists --dedup-report and --accept-dedup-drop in --help', async () => {
    expect((await run('--help')).stdout).toMatch(/--dedup-report <file> +train without the duplicates/);
    expect((await run('--help')).stdout).toMatch(
      /--accept-dedup-drop +use a --dedup-report even if it drops more than 5% of the data/,
    );
  });
});

/**
 * Starts `node <cli> ...argv` as a user would, waits until its run folder's metrics.ndjson lists `steps` steps,
 * sends `signal`, and resolves with the exit code, its output and the steps listed when it ended.
 */
async function trainUntilSignal(
  script: string,
  argv: readonly string[],
  out: string,
  signal: NodeJS.Signals,
  steps = 3,
): Promise<{ code: number | null; stdout: string; stderr: string; reached: number }> {
  const child = spawn(process.execPath, [script, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const listed = () =>
    existsSync(join(out, 'metrics.ndjson'))
      ? readFileSync(join(out, 'metrics.ndjson'), 'utf8').trim().split('\n').length
      : 0;
  const deadline = Date.now() + 90_000;
  while (listed() < steps && child.exitCode === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill(signal);
  const code = await closed;
  return { code, stdout, stderr, reached: listed() };
}

describe('dcgan-train on SIGINT / SIGTERM (issue 14; issue 20, bug 3)', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s saves a checkpoint at the step reached, exits %i, and --resume continues from it',
    async (signal, exitCode) => {
      const out = join(temporaryDirectory(), 'run');
      const argv = [
        '--quickstart',
        '--size',
        '16',
        '--base-width',
        '8',
        '--batch-size',
        '8',
        '--steps',
        '100000',
        '--checkpoint-every',
        '100000',
        '--out',
        out,
        '--backend',
        'wasm',
      ];
      const stopped = await trainUntilSignal(cli, argv, out, signal);
      expect(stopped.code, stopped.stderr).toBe(exitCode);
      expect(stopped.stderr).toContain(`${signal}: stopping after this step and saving a checkpoint`);
      expect(stopped.stdout).toMatch(new RegExp(`^stopped: ${stopped.reached} steps`));
      const manifest = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as {
        completedSteps: number;
      };
      expect(manifest.completedSteps).toBe(stopped.reached);
      expect(existsSync(join(out, 'run.lock'))).toBe(false);

      const resumed = await run('--resume', '--out', out, '--steps', String(stopped.reached + 2), '--backend', 'wasm');
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`at step ${stopped.reached}`);
      const steps = readFileSync(join(out, 'metrics.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { step: number }).step);
      expect(steps).toEqual(Array.from({ length: stopped.reached + 2 }, (_, index) => index + 1));
    },
  );

  it('a resumed quickstart keeps its own targets (steps, time limit, cadence), not the defaults', async () => {
    const out = join(temporaryDirectory(), 'run');
    const argv = [
      '--quickstart',
      '--size',
      '16',
      '--base-width',
      '8',
      '--batch-size',
      '8',
      '--steps',
      '30',
      '--out',
      out,
      '--backend',
      'wasm',
    ];
    const stopped = await trainUntilSignal(cli, argv, out, 'SIGTERM', 1);
    expect(stopped.code, stopped.stderr).toBe(143);
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as {
      steps: number;
      timeLimitMinutes: number;
      sampleEvery: number;
      checkpointEvery: number;
    };
    expect(record).toMatchObject({ steps: 30, timeLimitMinutes: 8, sampleEvery: 100, checkpointEvery: 500 });
    const resumed = await run('--resume', '--out', out, '--backend', 'wasm');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^done: 30 steps/);
  });
});
