import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { resumeTraining, train, TrainError, type TrainEvent, type TrainOptions } from './index';

const cifar = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'data',
  'test',
  'fixtures',
  'cifar-10-batches-bin',
);

function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'dcgan-train-lib-'));
}

/** The checkpoint's weight file (one .bin) of a run folder. */
function weights(directory: string): Buffer {
  const checkpoint = join(directory, 'checkpoint');
  return readFileSync(join(checkpoint, readdirSync(checkpoint).find((name) => name.endsWith('.bin'))!));
}

function metricSteps(directory: string): number[] {
  return readFileSync(join(directory, 'metrics.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { step: number }).step);
}

// The README's first example, with its folders made temporary.
const readmeOptions = {
  format: 'mnist-package',
  size: 16,
  channels: 1,
  baseWidth: 8,
  batchSize: 16,
  steps: 20,
  checkpointEvery: 10,
  backend: 'cpu',
} as const;

describe('train and resumeTraining (the README example)', () => {
  it('stopped at step 10 by its AbortSignal and resumed, ends byte-identical to 20 straight steps, without leaking tensors', async () => {
    const straight = join(temporaryDirectory(), 'straight');
    const tensorsAfterStep: number[] = [];
    await train(
      { ...readmeOptions, directory: straight },
      { onEvent: (event) => event.status === 'step' && tensorsAfterStep.push(tf.memory().numTensors) },
    );
    expect(tensorsAfterStep).toHaveLength(20);
    expect(new Set(tensorsAfterStep.slice(1)).size).toBe(1);

    const split = join(temporaryDirectory(), 'split');
    const stop = new AbortController();
    const events: TrainEvent[] = [];
    const onEvent = (event: TrainEvent): void => {
      events.push(event);
      if (event.status === 'step' && event.result.step === 10) stop.abort();
    };
    const first = await train({ ...readmeOptions, directory: split }, { signal: stop.signal, onEvent });
    expect(first.stopReason).toBe('aborted');
    expect(first.completedSteps).toBe(10);
    expect(events.filter((event) => event.status === 'stopping')).toEqual([
      { status: 'stopping', step: 10, reason: 'aborted' },
    ]);
    expect(events.filter((event) => event.status === 'checkpoint').map((event) => event.step)).toEqual([10]);
    expect(weights(split).equals(weights(straight))).toBe(false);

    const resumed = await resumeTraining({ directory: split, backend: 'cpu' });
    expect(resumed.stopReason).toBe('steps');
    expect(resumed.completedSteps).toBe(20);
    expect(weights(split).equals(weights(straight))).toBe(true);
    expect(metricSteps(split)).toEqual(metricSteps(straight));
    expect(existsSync(join(split, 'run.lock'))).toBe(false);
  });
});

describe('resume keeps the run settings (issue 20, bug 2 and the quickstart target)', () => {
  const tiny = {
    data: cifar,
    size: 16,
    baseWidth: 8,
    batchSize: 2,
    backend: 'cpu',
  } as const satisfies Partial<TrainOptions>;

  it('keeps the sample and checkpoint cadence and the step target of run.json', async () => {
    const directory = join(temporaryDirectory(), 'run');
    const stop = new AbortController();
    await train(
      { ...tiny, directory, steps: 8, sampleEvery: 2, checkpointEvery: 3 },
      { signal: stop.signal, onEvent: (event) => event.status === 'step' && event.step === 4 && stop.abort() },
    );
    const events: TrainEvent[] = [];
    const summary = await resumeTraining({ directory, backend: 'cpu' }, { onEvent: (event) => events.push(event) });
    expect(summary.completedSteps).toBe(8);
    expect(events.filter((event) => event.status === 'checkpoint').map((event) => event.step)).toEqual([6, 8]);
    expect(events.filter((event) => event.status === 'sample').map((event) => event.step)).toEqual([6, 8]);
  });

  it('records a new target given on resume for the next resume', async () => {
    const directory = join(temporaryDirectory(), 'run');
    await train({ ...tiny, directory, steps: 2 });
    expect((await resumeTraining({ directory, steps: 3, backend: 'cpu' })).completedSteps).toBe(3);
    expect((JSON.parse(readFileSync(join(directory, 'run.json'), 'utf8')) as { steps: number }).steps).toBe(3);
    expect((await resumeTraining({ directory, backend: 'cpu' })).completedSteps).toBe(3);
  });

  it('drops the metrics lines a crashed run wrote past its checkpoint, so each step is listed once', async () => {
    const directory = join(temporaryDirectory(), 'run');
    await train({ ...tiny, directory, steps: 4 });
    // What a run killed after step 6 leaves: metrics of steps 5 and 6 (and a cut line), its checkpoint at step 4.
    const last = readFileSync(join(directory, 'metrics.ndjson'), 'utf8').trim().split('\n').at(-1)!;
    appendFileSync(
      join(directory, 'metrics.ndjson'),
      `${last.replace('"step":4', '"step":5')}\n${last.replace('"step":4', '"step":6')}\n{"time":"20`,
    );
    await resumeTraining({ directory, steps: 7, backend: 'cpu' });
    expect(metricSteps(directory)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('run folder safety (issue 20 risks)', () => {
  const tiny = {
    data: cifar,
    size: 16,
    baseWidth: 8,
    batchSize: 2,
    backend: 'cpu',
  } as const satisfies Partial<TrainOptions>;

  it('refuses a run another living process holds, and takes over the lock of one that is gone', async () => {
    const directory = join(temporaryDirectory(), 'run');
    await train({ ...tiny, directory, steps: 1 });
    const lock = join(directory, 'run.lock');
    const { hostname } = await import('node:os');
    const living = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      writeFileSync(lock, `${JSON.stringify({ pid: living.pid, host: hostname(), startedAt: 'then' })}\n`);
      await expect(resumeTraining({ directory, steps: 2, backend: 'cpu' })).rejects.toThrow(
        `${directory} is being trained by another process (PID ${living.pid} on ${hostname()}, since then)`,
      );
    } finally {
      living.kill();
    }
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(lock, `${JSON.stringify({ pid: Number(gone.stdout), host: hostname(), startedAt: 'then' })}\n`);
    expect((await resumeTraining({ directory, steps: 2, backend: 'cpu' })).completedSteps).toBe(2);
    expect(existsSync(lock)).toBe(false);
    // A restarted container's process has the PID of the one that left the lock (PID 1): not a living holder.
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'then' })}\n`);
    expect((await resumeTraining({ directory, steps: 3, backend: 'cpu' })).completedSteps).toBe(3);
  });

  it('refuses a second train() on a run folder this process is training', async () => {
    const directory = join(temporaryDirectory(), 'run');
    await train({ ...tiny, directory, steps: 1 });
    const stop = new AbortController();
    let second: Promise<unknown> | null = null;
    const first = resumeTraining(
      { directory, steps: 1000, backend: 'cpu' },
      {
        signal: stop.signal,
        onEvent: (event) => {
          if (event.status !== 'step' || second !== null) return;
          second = resumeTraining({ directory, steps: 1000, backend: 'cpu' }).catch((error: unknown) => error);
          void second.then(() => stop.abort());
        },
      },
    );
    expect(((await first) as { stopReason: string }).stopReason).toBe('aborted');
    expect(String(await second)).toContain(`${directory} is being trained by another process (PID ${process.pid}`);
  });

  it('removes a new run that failed at its first batch, so the same call can run again', async () => {
    const parent = temporaryDirectory();
    const directory = join(parent, 'run');
    const options = { ...tiny, batchSize: 16, directory, steps: 2 }; // 8 CIFAR images: no full batch
    const message = `${cifar} gave no full batch of 16 images this epoch`;
    await expect(train(options)).rejects.toThrow(message);
    expect(existsSync(directory)).toBe(false);
    await expect(train(options)).rejects.toSatisfy(
      (error: unknown) => TrainError.isInstance(error) && (error as Error).message.startsWith(message),
    );
    // A folder the user made stays, empty.
    await expect(train({ ...options, directory: parent })).rejects.toThrow(message);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses bad options before touching anything, naming the option', async () => {
    const directory = join(temporaryDirectory(), 'run');
    await expect(train({ ...tiny, directory, size: 48 })).rejects.toThrow(
      'Expected `size` to be a power of two >= 16, got `48`',
    );
    await expect(train({ ...tiny, directory, epochs: 3 } as TrainOptions)).rejects.toThrow('Unknown option `epochs`');
    await expect(train({ ...tiny, directory, acceptDedupDrop: 'yes' } as unknown as TrainOptions)).rejects.toThrow(
      'Expected `acceptDedupDrop` to be a boolean, got `yes`',
    );
    expect(existsSync(directory)).toBe(false);
  });
});
