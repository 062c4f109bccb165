import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createScratch, type Scratch } from '../testing/corrupt-files';
import { encodePng } from './encode-png';
import { composeImageGrid, floatsToImages, writeImageGrid } from './image-grid';
import type { RawImage } from './raw-image';

const solid = (value: number): RawImage => ({ width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(value) });

describe('PNG output', () => {
  let scratch: Scratch;
  beforeAll(async () => {
    scratch = await createScratch('png');
  });
  afterAll(() => scratch.remove());

  it('encodes a raw image losslessly (read back by sharp/libpng)', async () => {
    const image: RawImage = { width: 3, height: 2, channels: 1, data: Uint8Array.from([0, 50, 100, 150, 200, 255]) };
    const png = await encodePng(image);
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([3, 2]);
    expect(Array.from(data)).toEqual(Array.from(image.data));
  });

  it('tiles images row by row with padding and writes the grid', async () => {
    const grid = composeImageGrid([solid(10), solid(20), solid(30)], { columns: 2, padding: 1, background: 255 });
    expect([grid.width, grid.height]).toEqual([7, 7]);
    const at = (x: number, y: number): number => grid.data[(y * grid.width + x) * 3]!;
    expect([at(0, 0), at(1, 1), at(4, 1), at(1, 4), at(4, 4)]).toEqual([255, 10, 20, 30, 255]);
    const path = join(scratch.directory, 'grid.png');
    await writeImageGrid(path, [solid(10), solid(20), solid(30)], { columns: 2, padding: 1, background: 255 });
    const { data } = await sharp(await readFile(path))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(Array.from(data)).toEqual(Array.from(grid.data));
    expect(() => composeImageGrid([solid(1), { ...solid(1), width: 1, data: new Uint8Array(6) }])).toThrow(
      /Expected all grid images to be 2x2x3, image 1 is 1x2x3/,
    );
  });

  it('maps generator output in [-1, 1] to bytes with clamping', () => {
    const [image] = floatsToImages(Float32Array.from([-1, 0, 1, 2, -3, 0.5]), [1, 1, 2, 3]);
    expect(Array.from(image!.data)).toEqual([0, 128, 255, 255, 0, 191]);
    expect(() => floatsToImages(new Float32Array(5), [1, 1, 2, 3])).toThrow(
      'Expected 6 values for shape [1, 1, 2, 3], got `5`',
    );
  });
});
