import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { UsageError } from '@dcgan/cli';
import { Trainer } from '@dcgan/core';
import { saveCheckpoint } from '@dcgan/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseLatentArguments, type LatentArguments } from './arguments.js';
import { runLatentCommand } from './run-command.js';

function failure(...argv: string[]): string {
  try {
    parseLatentArguments([...argv, '--checkpoint', 'x']);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('dcgan-latent: sane upper bounds, one line, before drawing anything', () => {
  let directory: string;
  let run: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    directory = await mkdtemp(join(tmpdir(), 'dcgan-latent-bounds-'));
    run = join(directory, 'run');
    const trainer = new Trainer({
      config: { imageSize: 16, channels: 1, baseWidth: 4, latentDim: 8 },
      batchSize: 2,
      seed: 2,
    });
    await saveCheckpoint(join(run, 'checkpoint'), trainer);
    trainer.dispose();
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('bounds each option', () => {
    expect(failure('walk', '--zoom', '100000')).toBe('Expected `--zoom` to be an integer in [1, 32], got `100000`');
    expect(failure('walk', '--rows', '200000')).toBe('Expected `--rows` to be an integer in [1, 1000], got `200000`');
    expect(failure('walk', '--points', '5000')).toMatch(/^Expected `--points` to be an integer in \[2, 1000\]/);
    expect(failure('turn', '--steps', '5000')).toMatch(/^Expected `--steps` to be an integer in \[2, 1000\]/);
    expect(failure('arithmetic', '--count', '1e9')).toMatch(/^Expected `--count` to be an integer in \[1, 10000\]/);
    expect(failure('arithmetic', '--neighbours', '100000')).toMatch(
      /^Expected `--neighbours` to be an integer in \[0, 10000\]/,
    );
    expect(failure('arithmetic', '--noise', '1e300')).toBe(
      'Expected `--noise` to be a number in [0, 1000], got `1e300`',
    );
    expect(failure('forget', '--render', '1e6')).toMatch(/^Expected `--render` to be an integer in \[1, 10000\]/);
    expect(failure('forget', '--l2', '1e300')).toMatch(/^Expected `--l2` to be a number in \(0, 1000000000\]/);
    expect(failure('visualize', '--features', '1e5')).toMatch(/^Expected `--features` to be an integer in \[1, 1000\]/);
    expect(failure('turn', '--range=-1e300,1')).toBe(
      'Expected `--range` to be two numbers in [-1000, 1000] <first,last>, got `-1e300,1`',
    );
  });

  it('bounds the images a command draws: 1000 rows of 1000-point walks are refused at once', () => {
    expect(failure('walk', '--rows', '1000', '--points', '1000')).toBe(
      '`walk` would draw 1000 rows x 8992 images = 8,992,000 images, more than 10,000: lower --rows, --points or --steps',
    );
    expect(failure('visualize', '--features', '1000', '--per-feature', '1000')).toMatch(
      /^`visualize` would draw 2,000,000 images, more than 10,000/,
    );
  });

  it('bounds the grid once the image size is known, before generating anything', async () => {
    const out = join(directory, 'zoomed');
    const args = parseLatentArguments([
      'walk',
      '--checkpoint',
      run,
      '--rows',
      '1000',
      '--points',
      '2',
      '--steps',
      '9',
      '--zoom',
      '32',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    await expect(runLatentCommand(args as Exclude<LatentArguments, { command: 'help' }>, () => {})).rejects.toThrow(
      '`walk` would write a grid of 1000 x 9 images of 16px at --zoom 32: 5,248 x 576,064 pixels, more than 256 megapixels: lower --zoom or the number of images',
    );
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });
});
