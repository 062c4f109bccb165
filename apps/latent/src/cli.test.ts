import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { UsageError } from '@dcgan/cli';
import { Trainer } from '@dcgan/core';
import { exportGenerator, saveCheckpoint } from '@dcgan/core/node';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseLatentArguments, type LatentArguments } from './arguments.js';
import { runLatentCommand } from './run-command.js';

let directory: string;
let run: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'dcgan-latent-cli-'));
  run = join(directory, 'run');
  const trainer = new Trainer({
    config: { imageSize: 16, channels: 1, baseWidth: 8, latentDim: 8 },
    batchSize: 4,
    seed: 2,
  });
  await saveCheckpoint(join(run, 'checkpoint'), trainer);
  await exportGenerator(join(directory, 'exported'), trainer.generator);
  trainer.dispose();
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function runCli(argv: string[]) {
  const args = parseLatentArguments([...argv, '--backend', 'cpu']) as Exclude<LatentArguments, { command: 'help' }>;
  const lines: string[] = [];
  const summary = await runLatentCommand(args, (line) => lines.push(line));
  return { ...summary, lines };
}

async function size(path: string): Promise<[number, number]> {
  const { width, height } = await sharp(path).metadata();
  return [width!, height!];
}

/** Grid side in pixels: tiles of `tile` px with `padding` px between and around them. */
const side = (tiles: number, tile: number, padding: number) => tiles * tile + (tiles + 1) * padding;

describe('dcgan-latent', () => {
  it('walk writes one figure-4 grid per method, into <run>/latent by default', async () => {
    const result = await runCli(['walk', '--checkpoint', run, '--rows', '3', '--steps', '5', '--seed', '4']);
    expect(result.out).toBe(join(run, 'latent'));
    expect(result.files).toEqual([join(run, 'latent', 'walk-linear.png'), join(run, 'latent', 'walk-spherical.png')]);
    // Figure 4's walks through 9 random points by default: 8 segments of 5 steps sharing ends, 33 columns.
    // 16px tiles zoomed 2x (32px), padding 2 * zoom = 4.
    expect(await size(result.files[0]!)).toEqual([side(33, 32, 4), side(3, 32, 4)]);
    expect(result.lines).toContain(`walk (linear): 3 rows x 33 images -> ${result.files[0]}`);
    const again = await runCli([
      'walk',
      '--checkpoint',
      run,
      '--rows',
      '3',
      '--steps',
      '5',
      '--seed',
      '4',
      '--method',
      'linear',
      '--out',
      join(directory, 'again'),
    ]);
    expect(await readFile(again.files[0]!)).toEqual(await readFile(result.files[0]!));
  });

  it('arithmetic writes the numbered sheet, then the figure-7 layout for picks', async () => {
    const out = join(directory, 'arithmetic');
    const sheet = await runCli(['arithmetic', '--checkpoint', run, '--out', out, '--count', '16', '--zoom', '1']);
    expect(sheet.files).toEqual([join(out, 'arithmetic-samples.png')]);
    expect(sheet.hint).toMatch(/--a i,j,k --b i,j,k --c i,j,k/);
    expect(await size(sheet.files[0]!)).toEqual([side(4, 16, 2), side(4, 16, 2)]);
    const figure = await runCli([
      'arithmetic',
      '--checkpoint',
      run,
      '--out',
      out,
      '--count',
      '16',
      '--zoom',
      '1',
      '--a',
      '0,1,2',
      '--b',
      '3,4,5',
      '--c',
      '6,7,8',
    ]);
    expect(await size(join(out, 'arithmetic.png'))).toEqual([side(6, 16, 2), side(4, 16, 2)]);
    expect(figure.files).toContain(join(out, 'arithmetic.png'));
  });

  it('turn writes rows of samples moved along the turn vector', async () => {
    const out = join(directory, 'turn');
    await runCli([
      'turn',
      '--checkpoint',
      run,
      '--out',
      out,
      '--from',
      '0,1',
      '--to',
      '2,3',
      '--rows',
      '2',
      '--steps',
      '4',
      '--zoom',
      '1',
    ]);
    expect(await size(join(out, 'turn.png'))).toEqual([side(4, 16, 2), side(2, 16, 2)]);
  });

  it('forget writes a boxes template, then fits the maps and renders with and without them', async () => {
    const out = join(directory, 'forget');
    const first = await runCli([
      'forget',
      '--checkpoint',
      join(directory, 'exported'),
      '--out',
      out,
      '--count',
      '8',
      '--seed',
      '5',
    ]);
    const template = JSON.parse(await readFile(join(out, 'forget-boxes.template.json'), 'utf8'));
    expect(template).toEqual({
      seed: 5,
      count: 8,
      imageSize: 16,
      boxes: [{ sample: 0, x: 0, y: 0, width: 8, height: 8 }],
    });
    expect(first.hint).toMatch(/--boxes <file>/);
    const boxesPath = join(directory, 'boxes.json');
    await writeFile(
      boxesPath,
      JSON.stringify({
        ...template,
        boxes: [
          ...template.boxes,
          { sample: 3, x: 6, y: 4, width: 6, height: 8 },
          { sample: 3, x: 0, y: 12, width: 16, height: 4, negative: true },
        ],
      }),
    );
    const result = await runCli([
      'forget',
      '--checkpoint',
      run,
      '--out',
      out,
      '--boxes',
      boxesPath,
      '--render',
      '4',
      '--zoom',
      '1',
    ]);
    const report = JSON.parse(await readFile(join(out, 'forget.json'), 'utf8'));
    expect(report.layerName).toBe('g_relu2');
    expect(result.lines.some((line) => line.includes(`dropping ${report.droppedMaps.length} of 8 maps`))).toBe(true);
    expect(report.positives).toBe(16 + 12);
    expect(report.boxedNegatives).toBe(16);
    expect(report.weights).toHaveLength(8);
    expect(report.droppedMaps).toEqual(
      report.weights
        .flatMap((weight: number, map: number) => (weight > 0 ? [map] : []))
        .sort((a: number, b: number) => report.weights[b] - report.weights[a]),
    );
    expect(result.files.map((file) => file.slice(out.length + 1))).toEqual([
      'forget.json',
      'forget-boxes.png',
      'forget-annotated.png',
      'forget.png',
    ]);
    expect(await size(join(out, 'forget.png'))).toEqual([side(4, 16, 2), side(2, 16, 2)]);
    expect((await sharp(join(out, 'forget-boxes.png')).metadata()).channels).toBe(3);
    // --layer picks another generator layer (g_relu1: 4x4x16 here).
    const nearZ = await runCli([
      'forget',
      '--checkpoint',
      run,
      '--out',
      join(out, 'g_relu1'),
      '--boxes',
      boxesPath,
      '--render',
      '4',
      '--layer',
      'g_relu1',
    ]);
    const nearZReport = JSON.parse(await readFile(join(out, 'g_relu1', 'forget.json'), 'utf8'));
    expect([nearZReport.layerName, nearZReport.mapCount, nearZReport.featureSize]).toEqual(['g_relu1', 16, 4]);
    expect(nearZ.lines.some((line) => line.includes(`dropping ${nearZReport.droppedMaps.length} of 16 maps`))).toBe(
      true,
    );
    await expect(runCli(['forget', '--checkpoint', run, '--boxes', boxesPath, '--layer', 'g_relu7'])).rejects.toThrow(
      /g_relu1 \(4x4x16\), g_relu2 \(8x8x8\), got `g_relu7`/,
    );
    expect(() => parseLatentArguments(['forget', '--checkpoint', 'x', '--layer', 'conv2'])).toThrow(
      'Expected `--layer` to be a generator layer g_relu1, g_relu2, ..., got `conv2`',
    );
  });

  it('forget names the boxes file and the field at fault', async () => {
    const bad = join(directory, 'bad-boxes.json');
    await writeFile(
      bad,
      JSON.stringify({ seed: 1, count: 4, imageSize: 16, boxes: [{ sample: 9, x: 0, y: 0, width: 2, height: 2 }] }),
    );
    await expect(runCli(['forget', '--checkpoint', run, '--boxes', bad])).rejects.toThrow(
      `${bad}: \`boxes[0].sample\` is 9, but only 4 samples were drawn (0..3)`,
    );
    const wrongSize = join(directory, 'wrong-size.json');
    await writeFile(
      wrongSize,
      JSON.stringify({ seed: 1, count: 4, imageSize: 32, boxes: [{ sample: 0, x: 0, y: 0, width: 2, height: 2 }] }),
    );
    await expect(runCli(['forget', '--checkpoint', run, '--boxes', wrongSize])).rejects.toThrow(
      `${wrongSize}: boxes were drawn on 32px images, but this generator makes 16px images`,
    );
  });

  it('visualize shows the trained D next to a random D, on real MNIST digits', async () => {
    const out = join(directory, 'visualize');
    const result = await runCli([
      'visualize',
      '--checkpoint',
      run,
      '--out',
      out,
      '--images',
      'mnist',
      '--count',
      '12',
      '--features',
      '3',
      '--per-feature',
      '4',
      '--zoom',
      '1',
    ]);
    expect(await size(join(out, 'visualize-trained.png'))).toEqual([side(4, 16, 2), side(3, 16, 2)]);
    expect(await size(join(out, 'visualize.png'))).toEqual([2 * side(4, 16, 2) + 8, side(3, 16, 2)]);
    const report = JSON.parse(await readFile(join(out, 'visualize.json'), 'utf8'));
    expect(report.trained.layer).toBe('d_lrelu2');
    expect(report.trained.features).toHaveLength(3);
    expect(result.files).toContain(join(out, 'visualize-random.png'));
    // A bare generator has no discriminator.
    await expect(runCli(['visualize', '--checkpoint', join(directory, 'exported')])).rejects.toThrow(
      /visualize needs the discriminator/,
    );
  });

  it('rejects bad command lines with one clear line', async () => {
    expect(() => parseLatentArguments(['spin', '--checkpoint', 'x'])).toThrow(
      'Unknown command `spin`; expected one of walk, arithmetic, turn, forget, visualize',
    );
    expect(() => parseLatentArguments(['walk'])).toThrow('Expected `--checkpoint <path>`');
    expect(() => parseLatentArguments(['walk', '--checkpoint', 'x', '--boxes', 'b.json'])).toThrow(
      'Option `--boxes` does not apply to `walk`',
    );
    expect(() => parseLatentArguments(['arithmetic', '--checkpoint', 'x', '--a', '1,2'])).toThrow(
      'Expected all of `--a`, `--b` and `--c`',
    );
    expect(() =>
      parseLatentArguments(['arithmetic', '--checkpoint', 'x', '--count', '8', '--a', '1,9', '--b', '1', '--c', '2']),
    ).toThrow('Expected `--a` to be comma-separated sample numbers in 0..7 (from the sample sheet), got `1,9`');
    expect(() => parseLatentArguments(['turn', '--checkpoint', 'x', '--range', '1'])).toThrow(
      'Expected `--range` to be two numbers <first,last>, got `1`',
    );
    expect(() => parseLatentArguments(['walk', '--checkpoint', 'x', '--seed', '-1'])).toThrow(UsageError);
    await expect(runCli(['walk', '--checkpoint', join(directory, 'nothing-here')])).rejects.toThrow(
      /nothing-here: no checkpoint here/,
    );
  });
});
