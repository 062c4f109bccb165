import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runScript } from '@dcgan/vitest-config/run-script';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';

import { facesSettings } from './paper-settings';
import { prepareFaceCrops } from './prepare-face-crops';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const fixtures = join(here, '..', '..', '..', 'packages', 'data', 'test', 'fixtures', 'faces');

/** Runs the built CLI. */
const run = (...argv: string[]) => runScript(cli, argv);

describe('faces app', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dcgan-faces-app-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("uses the paper settings: 64px RGB, base width 128, the authors' 5x5 kernels, batch 128", () => {
    expect(facesSettings).toMatchObject({
      format: 'folder',
      size: 64,
      channels: 3,
      baseWidth: 128,
      kernelSize: 5,
      batchSize: 128,
      sampleEvery: 500,
      checkpointEvery: 1000,
    });
  });

  it('writes one 64x64 RGB crop per box and keeps them on a second run', async () => {
    const crops = join(directory, 'crops');
    const plan = {
      photos: join(fixtures, 'photos'),
      boxes: join(fixtures, 'boxes.csv'),
      margin: 0.25,
      crops,
      size: 64,
    };
    const first = await prepareFaceCrops(plan);
    expect(first).toEqual({ total: 4, written: 4, kept: 0, skipped: [] });
    const files = readdirSync(crops)
      .filter((name) => name.endsWith('.png'))
      .sort();
    expect(files).toEqual(['000000000.png', '000000001.png', '000000002.png', '000000003.png']);
    const metadata = await sharp(join(crops, files[0]!)).metadata();
    expect([metadata.width, metadata.height, metadata.channels]).toEqual([64, 64, 3]);
    const again = await prepareFaceCrops(plan);
    expect(again).toMatchObject({ total: 4, written: 0, kept: 4 });
  });

  it('crops, then trains (tiny model, 5x5 kernels) and writes samples and a checkpoint', async () => {
    const out = join(directory, 'run');
    const result = await run(
      '--photos',
      join(fixtures, 'photos'),
      '--boxes',
      join(fixtures, 'boxes.json'),
      '--out',
      out,
      '--batch-size',
      '2',
      '--steps',
      '2',
      '--backend',
      'cpu',
      '--',
      '--size',
      '16',
      '--base-width',
      '8',
      '--sample-every',
      '1',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/4 face crops in .*run-crops \(4 new, 0 kept\)/);
    expect(result.stderr).toContain('4 face crops; training 16px x3, base width 8, 5x5 kernels, batch 2, 2 steps');
    const manifest = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as {
      options: { config: { kernelSize: number } };
    };
    expect(manifest.options.config.kernelSize).toBe(5);
    expect(readdirSync(join(out, 'samples'))).toContain('step-000002.png');
  });

  it('explains a bad boxes file, and too few crops for a batch, in one line', async () => {
    const bad = await run(
      '--photos',
      join(fixtures, 'photos'),
      '--boxes',
      join(fixtures, 'photos', 'p1.png'),
      '--out',
      join(directory, 'bad'),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/dcgan-train-faces: error: .*p1\.png: line 1: expected 5 fields/);
    const small = await run(
      '--photos',
      join(fixtures, 'photos'),
      '--boxes',
      join(fixtures, 'boxes.json'),
      '--out',
      join(directory, 'small'),
    );
    expect(small.code).toBe(2); // a UsageError: --batch-size is the user's to change
    expect(small.stderr).toMatch(
      /dcgan-train-faces: error: .*small-crops holds 4 face crops, fewer than one batch of 128; pass a smaller --batch-size\n$/,
    );
  });
});
