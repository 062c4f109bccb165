import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { resumeTraining, train, trainingScalarTags, type TrainEvent } from './index';
import { findProtobufPython, readEventFileWithPython } from './test-support/python-event-reader';

const python = findProtobufPython();
const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

interface MetricsLine {
  readonly step: number;
  readonly discriminatorLoss: number;
  readonly generatorLoss: number;
  readonly realScore: number;
  readonly fakeScore: number;
  readonly fakeScoreAfterUpdate: number;
  readonly imagesPerSecond: number;
}

function metrics(directory: string): MetricsLine[] {
  return readFileSync(join(directory, 'metrics.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MetricsLine);
}

// A run's TensorBoard files and curves.png, read back by the independent reader (Debian's python3-protobuf, with
// TensorBoard's messages and a CRC32C of its own): every CRC valid, steps in order, scalars equal to metrics.ndjson.
describe.skipIf(python === null && !inCi)('a run writes TensorBoard event files and curves.png', () => {
  it('a run stopped at step 7 and resumed to 10 leaves two event files that together hold every step of metrics.ndjson', async () => {
    if (python === null)
      throw new Error('CI needs python3-protobuf (Debian) to check event files; .ci/run installs it');
    const directory = join(mkdtempSync(join(tmpdir(), 'dcgan-train-tensorboard-')), 'run');
    const options = {
      directory,
      format: 'mnist-package',
      size: 16,
      channels: 1,
      baseWidth: 8,
      batchSize: 16,
      steps: 10,
      sampleEvery: 4,
      checkpointEvery: 3,
      backend: 'cpu',
    } as const;
    const stop = new AbortController();
    const first = await train(options, {
      signal: stop.signal,
      onEvent: (event: TrainEvent) => event.status === 'step' && event.step === 7 && stop.abort(),
    });
    expect(first.completedSteps).toBe(7);
    const resumed = await resumeTraining({ directory, backend: 'cpu' });
    expect(resumed.completedSteps).toBe(10);
    expect(resumed.tensorboard).not.toBe(first.tensorboard);
    expect(resumed.curves).toBe(join(directory, 'curves.png'));

    const eventFiles = readdirSync(directory)
      .filter((name) => name.startsWith('events.out.tfevents.'))
      .sort();
    expect(eventFiles.map((name) => join(directory, name)).sort()).toEqual(
      [first.tensorboard, resumed.tensorboard].sort(),
    );
    const [firstFile, secondFile] = [first.tensorboard, resumed.tensorboard].map((path) =>
      readEventFileWithPython(python, path),
    );
    for (const file of [firstFile!, secondFile!]) {
      expect(file.errors).toEqual([]);
      expect(file.truncated_tail).toBe(false);
      expect(file.events[0]).toMatchObject({ kind: 'file_version', file_version: 'brain.Event:2' });
    }
    // The resumed session starts with a restart marker at its checkpoint's step (7: an abort saves one), before anything else.
    expect(secondFile!.events[1]).toMatchObject({ kind: 'session_log', step: 7 });

    // Scalars: the first session's steps up to the checkpoint, then the resumed session's, equal metrics.ndjson.
    const scalarSteps = (file: typeof firstFile) =>
      file!.events.filter((event) => event.scalars !== undefined && Object.keys(event.scalars).length > 0);
    const kept = [...scalarSteps(firstFile).filter((event) => event.step <= 7), ...scalarSteps(secondFile)];
    const lines = metrics(directory);
    expect(lines.map((line) => line.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(kept.map((event) => event.step)).toEqual(lines.map((line) => line.step));
    kept.forEach((event, index) => {
      const line = lines[index]!;
      expect(event.scalars).toEqual({
        [trainingScalarTags.discriminatorLoss]: Math.fround(line.discriminatorLoss),
        [trainingScalarTags.generatorLoss]: Math.fround(line.generatorLoss),
        [trainingScalarTags.realScore]: Math.fround(line.realScore),
        [trainingScalarTags.fakeScore]: Math.fround(line.fakeScore),
        [trainingScalarTags.fakeScoreAfterUpdate]: Math.fround(line.fakeScoreAfterUpdate),
        [trainingScalarTags.imagesPerSecond]: Math.fround(line.imagesPerSecond),
      });
    });

    // Sample grids: the same PNG bytes in TensorBoard as in samples/.
    const images = [...firstFile!.events, ...secondFile!.events].flatMap((event) =>
      (event.images ?? []).map((image) => ({ step: event.step, image })),
    );
    expect(images.map(({ step }) => step)).toEqual([0, 4, 7, 8, 10]);
    for (const { step, image } of images) {
      const png = readFileSync(join(directory, 'samples', `step-${String(step).padStart(6, '0')}.png`));
      expect(Buffer.from(image.base64, 'base64').equals(png)).toBe(true);
    }

    const curves = await sharp(join(directory, 'curves.png')).metadata();
    expect(curves.format).toBe('png');
    expect(curves.width).toBeGreaterThan(300);
  }, 300_000);
});
