import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';

import { buildTrainArguments } from './paper-settings';
import { prepareFaceCrops } from './prepare-face-crops';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const fixtures = join(here, '..', '..', '..', 'packages', 'data', 'test', 'fixtures', 'faces');

describe('faces app', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dcgan-faces-app-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('uses the paper settings: 64px RGB, base width 128, batch 128', () => {
    const argumentsList = buildTrainArguments({ crops: 'c', out: 'o', imageCount: 350_000, epochs: 5, batchSize: 128, steps: undefined, backend: 'auto', resume: false, extra: [] });
    expect(argumentsList.join(' ')).toBe(
      '--data c --format folder --size 64 --channels 3 --base-width 128 --batch-size 128 --seed 1 --sample-every 500 --checkpoint-every 1000 --out o --steps 13670 --backend auto',
    );
  });

  it('writes one 64x64 RGB crop per box and keeps them on a second run', async () => {
    const crops = join(directory, 'crops');
    const plan = { photos: join(fixtures, 'photos'), boxes: join(fixtures, 'boxes.csv'), margin: 0.25, crops, size: 64 };
    const first = await prepareFaceCrops(plan);
    expect(first).toEqual({ total: 4, written: 4, kept: 0, skipped: [] });
    const files = readdirSync(crops).filter((name) => name.endsWith('.png')).sort();
    expect(files).toEqual(['000000000.png', '000000001.png', '000000002.png', '000000003.png']);
    const metadata = await sharp(join(crops, files[0]!)).metadata();
    expect([metadata.width, metadata.height, metadata.channels]).toEqual([64, 64, 3]);
    const again = await prepareFaceCrops(plan);
    expect(again).toMatchObject({ total: 4, written: 0, kept: 4 });
  });

  it('crops, then trains (tiny model) and writes samples and a checkpoint', () => {
    const out = join(directory, 'run');
    const result = spawnSync(
      process.execPath,
      [cli, '--photos', join(fixtures, 'photos'), '--boxes', join(fixtures, 'boxes.json'), '--out', out, '--batch-size', '2', '--steps', '2', '--backend', 'cpu', '--', '--size', '16', '--base-width', '8', '--sample-every', '1'],
      { encoding: 'utf8', timeout: 110_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/4 face crops in .*run-crops \(4 new, 0 kept\)/);
    expect(existsSync(join(out, 'checkpoint'))).toBe(true);
    expect(readdirSync(join(out, 'samples'))).toContain('step-000002.png');
  });

  it('explains a bad boxes file in one line', () => {
    const result = spawnSync(process.execPath, [cli, '--photos', join(fixtures, 'photos'), '--boxes', join(fixtures, 'photos', 'p1.png'), '--out', join(directory, 'bad')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/dcgan-train-faces: error: .*p1\.png: line 1: expected 5 fields/);
  });
});
