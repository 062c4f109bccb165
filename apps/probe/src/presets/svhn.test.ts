import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from '@dcgan/core';
import { saveCheckpoint } from '@dcgan/core/node';
import { runProbeCommand, type ProbeCommandReport } from '../run-probe-command.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { svhnPreset } from './svhn-preset.js';

// 80 training and 30 test digits in SVHN's .mat format (scipy.io.savemat), apps/probe/scripts/make-app-fixtures.py.
const fixtures = fileURLToPath(new URL('../../fixtures/svhn', import.meta.url));

describe('dcgan-probe-svhn', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dcgan-probe-svhn-'));
    await tf.setBackend('cpu');
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it("runs the paper's SVHN protocol shape (draws per class, C on validation, all four methods) on .mat files", async () => {
    const trainer = new Trainer({ config: { imageSize: 32, channels: 3, baseWidth: 4 }, batchSize: 8, seed: 5 });
    const checkpoint = join(directory, 'run', 'checkpoint');
    await saveCheckpoint(checkpoint, trainer);
    trainer.dispose();
    const stdout: string[] = [];
    const code = await runProbeCommand(
      [
        '--checkpoint',
        checkpoint,
        '--data',
        fixtures,
        '--backend',
        'cpu',
        '--no-store',
        '--labels-per-class',
        '3',
        '--validation',
        '20',
        '--draws',
        '2',
        '--selection-draws',
        '1',
        '--costs',
        '0.01,0.1',
        '--supervised-draws',
        '1',
        '--supervised-epochs',
        '2',
        '--supervised-trials',
        '3',
      ],
      svhnPreset,
      { stdout: (text) => stdout.push(text), stderr: () => {} },
    );
    expect(code).toBe(0);
    const report = JSON.parse(
      await readFile(join(directory, 'run', 'probe-svhn', 'report.json'), 'utf8'),
    ) as ProbeCommandReport;
    expect(report.dataset).toBe('SVHN');
    expect(report.protocol).toMatchObject({
      labelsPerClass: 3,
      trainImages: 80,
      validationImages: 20,
      poolImages: 60,
      testImages: 30,
      draws: 2,
    });
    expect(report.methods.map((method) => [method.name, method.testErrors.length])).toEqual([
      ['dcgan-discriminator', 2],
      ['random-discriminator', 2],
      ['pixels', 2],
      ['supervised-cnn', 1],
    ]);
    // The fixture is 10 digit classes: a pixel SVM on 30 labels must beat chance (90% error).
    expect(report.methods.find((method) => method.name === 'pixels')!.meanTestError).toBeLessThan(0.85);
    expect(stdout.join('')).toContain('SVHN: 3 labels per class, 20 validation and 30 test images');
    // Section 5.2: the supervised CNN's settings come from a random search on the validation split (64 trials by default).
    const supervised = report.methods.find((method) => method.name === 'supervised-cnn')!;
    expect(supervised.supervisedSearch!.trials).toHaveLength(3);
    expect(supervised.validationErrors[0]).toBe(supervised.supervisedSearch!.chosen.validationError);
    expect(stdout.join('')).toContain('supervised-cnn: random search over 3 trials on the validation split');
    expect(await readFile(join(directory, 'run', 'probe-svhn', 'report.md'), 'utf8')).toContain('(chosen)');
    expect(svhnPreset.supervisedTrials).toBe(64);
  });

  it('shows the usage with the preset defaults', async () => {
    const stdout: string[] = [];
    await runProbeCommand(['--help'], svhnPreset, { stdout: (text) => stdout.push(text), stderr: () => {} });
    expect(stdout.join('')).toMatch(/dcgan-probe-svhn --checkpoint <dir> --data <dir>/);
    expect(stdout.join('')).toMatch(/--draws <n> +draws whose test errors are reported \(default 100\)/);
  });
});
