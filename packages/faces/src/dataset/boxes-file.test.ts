import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { csvField, keptBoxes, writeBoxesCsv, writeBoxesJson } from './boxes-file';
import type { JournalRecord } from './journal';

const records: JournalRecord[] = [
  {
    file: 'party/one.jpg',
    width: 100,
    height: 100,
    faces: [
      { x: 1, y: 2, w: 30, h: 40, score: 0.9, kept: true, crop: 'crops/party/one.jpg.0.png' },
      { x: 50, y: 50, w: 5, h: 5, score: 0.9, kept: false, reason: 'too-small' },
    ],
  },
  { file: 'broken.jpg', error: 'cannot decode image' },
  { file: 'odd, "name".png', width: 10, height: 10, faces: [{ x: 0, y: 0, w: 10, h: 10, score: 0.8, kept: true }] },
];

describe('boxes files', () => {
  it('lists only kept boxes, in journal order', () => {
    expect([...keptBoxes(records)]).toEqual([
      { file: 'party/one.jpg', x: 1, y: 2, w: 30, h: 40 },
      { file: 'odd, "name".png', x: 0, y: 0, w: 10, h: 10 },
    ]);
  });

  it('writes CSV with the header file,x,y,w,h and RFC 4180 quoting', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'faces-boxes-')), 'boxes.csv');
    await writeBoxesCsv(path, keptBoxes(records));
    expect(await readFile(path, 'utf8')).toBe('file,x,y,w,h\nparty/one.jpg,1,2,30,40\n"odd, ""name"".png",0,0,10,10\n');
    expect(csvField('plain.jpg')).toBe('plain.jpg');
  });

  it('writes a JSON array of { file, x, y, w, h }', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'faces-boxes-')), 'boxes.json');
    await writeBoxesJson(path, keptBoxes(records));
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual([...keptBoxes(records)]);
    await writeBoxesJson(path, []);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual([]);
  });
});
