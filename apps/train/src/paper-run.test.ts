import { availableParallelism } from 'node:os';

import { describe, expect, it } from 'vitest';

import { UsageError as ArgumentsUsageError } from './arguments.js';
import { buildTrainArguments, positiveInteger, runTrainCli, splitPassThrough, stepsFor, UsageError, type PaperSettings } from './paper-run.js';
import { currentThreadPoolSize, trainingThreadPoolSize } from './thread-pool-size.js';

const settings: PaperSettings = {
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
};

describe('buildTrainArguments', () => {
  it('passes every setting on a fresh run, with steps from epochs over the full batches', () => {
    expect(buildTrainArguments(settings, { data: 'd', out: 'o', imageCount: 1000 }).join(' ')).toBe(
      '--data d --format lmdb --size 64 --channels 3 --base-width 128 --kernel-size 5 --batch-size 128 --seed 1 --sample-every 500 --checkpoint-every 1000 --out o --steps 35 --backend auto',
    );
    expect(stepsFor(1000, 128, 5)).toBe(5 * 7);
  });

  it('lets the run choose epochs, batch size, steps and backend, and puts extra options last', () => {
    const argumentsList = buildTrainArguments(settings, { data: 'd', out: 'o', imageCount: 1000, epochs: 2, batchSize: 100, backend: 'wasm', extra: ['--size', '16'] });
    expect(argumentsList.slice(-8)).toEqual(['--out', 'o', '--steps', '20', '--backend', 'wasm', '--size', '16']);
    expect(argumentsList[argumentsList.indexOf('--batch-size') + 1]).toBe('100');
    const fixedSteps = buildTrainArguments(settings, { data: 'd', out: 'o', imageCount: 1000, steps: 3 });
    expect(fixedSteps[fixedSteps.indexOf('--steps') + 1]).toBe('3');
  });

  it('resumes with only the run folder, step budget and backend (the shape comes from the checkpoint)', () => {
    expect(buildTrainArguments(settings, { data: 'd', out: 'o', imageCount: 1000, epochs: 1, batchSize: 100, resume: true, extra: ['--sample-every', '5'] })).toEqual([
      '--resume',
      '--out',
      'o',
      '--steps',
      '10',
      '--backend',
      'auto',
      '--sample-every',
      '5',
    ]);
  });

  it('refuses data smaller than one batch, naming the items, and bad numbers', () => {
    expect(() => buildTrainArguments(settings, { data: 'd', out: 'o', imageCount: 50, batchSize: 100 })).toThrow(
      'd holds 50 images, fewer than one batch of 100; pass a smaller --batch-size',
    );
    expect(() => buildTrainArguments(settings, { data: 'c', out: 'o', imageCount: 3, itemName: 'face crops' })).toThrow('c holds 3 face crops, fewer than one batch of 128');
    expect(() => buildTrainArguments(settings, { data: 'd', out: 'o', imageCount: 1000, steps: 0 })).toThrow('Expected `steps` to be an integer >= 1, got `0`');
    expect(() => buildTrainArguments(settings, { data: 'd', out: 'o', imageCount: 1.5 })).toThrow(UsageError);
  });
});

describe('command-line helpers', () => {
  it('splits at the first `--` and reads positive integers', () => {
    expect(splitPassThrough(['--data', 'x', '--', '--size', '16', '--'])).toEqual({ own: ['--data', 'x'], passThrough: ['--size', '16', '--'] });
    expect(splitPassThrough(['--data', 'x'])).toEqual({ own: ['--data', 'x'], passThrough: [] });
    expect(positiveInteger('--epochs', undefined, 5)).toBe(5);
    expect(positiveInteger('--epochs', '3', 5)).toBe(3);
    expect(() => positiveInteger('--epochs', '0', 5)).toThrow('Expected `--epochs` to be a positive integer, got `0`');
    expect(() => positiveInteger('--epochs', '2.5', 5)).toThrow(UsageError);
  });

  it('shares one UsageError with dcgan-train, recognised across module copies', () => {
    expect(ArgumentsUsageError).toBe(UsageError);
    const error = new UsageError('x');
    expect(UsageError.isInstance(error)).toBe(true);
    expect(UsageError.isInstance(new Error('x'))).toBe(false);
    expect(UsageError.isInstance(Object.assign(new Error('x'), { name: 'UsageError' }))).toBe(false);
  });

  it('runs the built dcgan-train and resolves with its exit code', async () => {
    expect(await runTrainCli(['--help'])).toBe(0);
    expect(await runTrainCli(['--quickstart', '--size', '48'])).toBe(2);
  });

  it('starts dcgan-train with one libuv thread per core (at least 4) for sharp, unless UV_THREADPOOL_SIZE is set', () => {
    const saved = process.env.UV_THREADPOOL_SIZE;
    try {
      delete process.env.UV_THREADPOOL_SIZE;
      expect(trainingThreadPoolSize()).toBe(String(Math.max(4, availableParallelism())));
      process.env.UV_THREADPOOL_SIZE = '13';
      expect(trainingThreadPoolSize()).toBe('13');
      expect(currentThreadPoolSize()).toBe(13);
      delete process.env.UV_THREADPOOL_SIZE;
      expect(currentThreadPoolSize()).toBe(4);
    } finally {
      if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE;
      else process.env.UV_THREADPOOL_SIZE = saved;
    }
  });
});
