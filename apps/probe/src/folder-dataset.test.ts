import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from '@dcgan/core';
import { saveCheckpoint } from '@dcgan/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runProbeCommand, type ProbeCommandReport } from './run-probe-command.js';

// fixtures/digit-folders (scripts/make-app-fixtures.py, PIL): real MNIST digits as PNGs, one subfolder per class.
// train/{0,1,2} (12 each); test/{1,2} (5 each): its class indices (0, 1) are not training's (1, 2).
const folders = fileURLToPath(new URL('../fixtures/digit-folders', import.meta.url));
const defaults = { programName: 'dcgan-probe' };

describe('dcgan-probe --dataset folder, end to end on class folders', () => {
  let directory: string;
  let checkpoint: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    directory = await mkdtemp(join(tmpdir(), 'dcgan-probe-folder-'));
    checkpoint = join(directory, 'run', 'checkpoint');
    const trainer = new Trainer({ config: { imageSize: 16, channels: 1, baseWidth: 4 }, batchSize: 8, seed: 3 });
    await saveCheckpoint(checkpoint, trainer);
    trainer.dispose();
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  const argv = (testData: string) => [
    '--checkpoint',
    checkpoint,
    '--dataset',
    'folder',
    '--data',
    join(folders, 'train'),
    '--test-data',
    join(folders, testData),
    '--backend',
    'cpu',
    '--methods',
    'discriminator,pixels',
    '--labels-per-class',
    'all',
    '--validation',
    '6',
    '--draws',
    '1',
    '--selection-draws',
    '1',
    '--costs',
    '0.1,1',
  ];

  it('labels images by their class folder and maps test classes to training classes by name', async () => {
    const stderr: string[] = [];
    const code = await runProbeCommand(argv('test'), defaults, {
      stdout: () => {},
      stderr: (text) => stderr.push(text),
    });
    expect(code, stderr.join('')).toBe(0);
    const report = JSON.parse(
      await readFile(join(directory, 'run', 'probe-folder', 'report.json'), 'utf8'),
    ) as ProbeCommandReport;
    expect(report.protocol).toMatchObject({ trainImages: 36, validationImages: 6, testImages: 10 });
    // Pixels separate 1s from 2s almost perfectly; test labels taken as test-folder indices (1 -> 0, 2 -> 1) would
    // make nearly every answer wrong.
    const pixels = report.methods.find((method) => method.name === 'pixels')!;
    expect(pixels.meanTestError).toBeLessThanOrEqual(0.2);
    expect(stderr.join('')).toMatch(/3 classes \(0, 1, 2\); the test images cover 2 of them \(1, 2\)/);
  });

  it('refuses a test class that training lacks, naming it', async () => {
    await expect(
      runProbeCommand(argv('test-unknown-class'), defaults, { stdout: () => {}, stderr: () => {} }),
    ).rejects.toThrow(
      `${join(folders, 'test-unknown-class')}: class \`7\` has no training images (training classes under ${join(folders, 'train')}: 0, 1, 2)`,
    );
  });
});
