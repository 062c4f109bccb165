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

import { cifar10Preset } from './cifar10-preset.js';

// 80 training and 30 test images in CIFAR-10's binary format (numpy), apps/probe/scripts/make-app-fixtures.py.
const fixtures = fileURLToPath(new URL('../../fixtures/cifar10', import.meta.url));

describe('dcgan-probe-cifar10', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dcgan-probe-cifar10-'));
    await tf.setBackend('cpu');
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it("runs the paper's CIFAR-10 protocol shape (whole pool, C on a held-out part, refit, one test error)", async () => {
    const trainer = new Trainer({ config: { imageSize: 32, channels: 3, baseWidth: 4 }, batchSize: 8, seed: 5 });
    const checkpoint = join(directory, 'run', 'checkpoint');
    await saveCheckpoint(checkpoint, trainer);
    trainer.dispose();
    const stdout: string[] = [];
    const out = join(directory, 'probe');
    const code = await runProbeCommand(
      [
        '--checkpoint',
        checkpoint,
        '--data',
        fixtures,
        '--backend',
        'cpu',
        '--validation',
        '20',
        '--costs',
        '0.001,0.01',
        '--out',
        out,
      ],
      cifar10Preset,
      { stdout: (text) => stdout.push(text), stderr: () => {} },
    );
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ProbeCommandReport;
    expect(report.dataset).toBe('CIFAR-10');
    expect(report.protocol).toMatchObject({
      labelsPerClass: null,
      trainImages: 80,
      validationImages: 20,
      poolImages: 60,
      testImages: 30,
      draws: 1,
      selectionDraws: 1,
    });
    expect(report.methods.map((method) => method.name)).toEqual([
      'dcgan-discriminator',
      'random-discriminator',
      'pixels',
    ]);
    for (const method of report.methods) {
      expect(method.testErrors).toHaveLength(1);
      expect(method.costSearch!.map((entry) => entry.cost)).toEqual([0.001, 0.01]);
    }
    expect(report.methods.find((method) => method.name === 'pixels')!.meanTestError).toBeLessThan(0.85);
    expect(stdout.join('')).toContain('CIFAR-10: all 60 training labels');
  });

  it('refuses a missing data folder with the path in the message', async () => {
    await expect(
      runProbeCommand(
        [
          '--checkpoint',
          join(directory, 'run', 'checkpoint'),
          '--data',
          join(directory, 'no-cifar'),
          '--backend',
          'cpu',
        ],
        cifar10Preset,
        {
          stdout: () => {},
          stderr: () => {},
        },
      ),
    ).rejects.toThrow(/no-cifar/);
  });
});
