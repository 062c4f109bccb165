import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { prepareFaceCrops } from './prepare-face-crops';

const fixtures = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'packages',
  'data',
  'test',
  'fixtures',
  'faces',
);

describe('prepareFaceCrops on a crops folder made with other settings', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dcgan-faces-crops-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const plan = (crops: string, margin: number) => ({
    photos: join(fixtures, 'photos'),
    boxes: join(fixtures, 'boxes.csv'),
    margin,
    crops,
    size: 64,
  });

  it('refuses another --margin instead of keeping crops cut with the old one', async () => {
    const crops = join(directory, 'finished');
    await prepareFaceCrops(plan(crops, 0.25));
    const before = readFileSync(join(crops, '000000000.png'));
    await expect(prepareFaceCrops(plan(crops, 0.5))).rejects.toThrow(
      `${crops} holds face crops made with --margin 0.25, not 0.5: pass --margin 0.25, or another --crops folder for the new margin`,
    );
    expect(readFileSync(join(crops, '000000000.png')).equals(before)).toBe(true);
    // What the user sees: `dcgan-train-faces --resume` with another --margin stops before training, in one line.
    const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
    const out = join(directory, 'run');
    const result = spawnSync(
      process.execPath,
      [
        cli,
        '--photos',
        join(fixtures, 'photos'),
        '--boxes',
        join(fixtures, 'boxes.csv'),
        '--crops',
        crops,
        '--out',
        out,
        '--resume',
        '--margin',
        '0.5',
      ],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `dcgan-train-faces: error: ${crops} holds face crops made with --margin 0.25, not 0.5: pass --margin 0.25, or another --crops folder for the new margin`,
    );
  });

  it('refuses it for a preparation that was interrupted too', async () => {
    const crops = join(directory, 'interrupted');
    await prepareFaceCrops(plan(crops, 0.25));
    rmSync(join(crops, 'done.json'));
    rmSync(join(crops, '000000003.png'));
    await expect(prepareFaceCrops(plan(crops, 0.5))).rejects.toThrow(
      /holds face crops made with --margin 0\.25, not 0\.5/,
    );
    // With the same settings it finishes the job.
    expect(await prepareFaceCrops(plan(crops, 0.25))).toEqual({ total: 4, written: 1, kept: 3, skipped: [] });
  });

  it('refuses a folder that holds something else, leaving it untouched', async () => {
    const crops = join(directory, 'holiday-photos');
    mkdirSync(crops);
    writeFileSync(join(crops, '000000000.png'), 'not a crop');
    await expect(prepareFaceCrops(plan(crops, 0.25))).rejects.toThrow(
      `${crops} is not empty and holds no face crops made by dcgan-train-faces (no plan.json): pass an empty or new --crops folder`,
    );
    expect(readdirSync(crops)).toEqual(['000000000.png']);
  });
});
