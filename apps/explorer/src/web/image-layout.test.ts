import { describe, expect, it } from 'vitest';

import { imageToRgba, layoutSize, meanVector, tileAt, tileOrigin } from './image-layout';

describe('tile layout', () => {
  const layout = { count: 5, columns: 3, tileSize: 10, padding: 2 };

  it('sizes the canvas and places tiles row by row', () => {
    expect(layoutSize(layout)).toEqual({ width: 3 * 12 + 2, height: 2 * 12 + 2 });
    expect(tileOrigin(layout, 0)).toEqual({ x: 2, y: 2 });
    expect(tileOrigin(layout, 4)).toEqual({ x: 14, y: 14 });
  });

  it('finds the tile under a point, and none on padding or past the last tile', () => {
    expect(tileAt(layout, 2, 2)).toBe(0);
    expect(tileAt(layout, 11.9, 11.9)).toBe(0);
    expect(tileAt(layout, 12.5, 5)).toBe(-1);
    expect(tileAt(layout, 15, 15)).toBe(4);
    expect(tileAt(layout, 28, 15)).toBe(-1); // tile 5 does not exist
    expect(tileAt(layout, 1, 5)).toBe(-1);
  });
});

describe('imageToRgba', () => {
  it('maps [-1, 1] to 0..255, gray to three equal channels, opaque', () => {
    expect(Array.from(imageToRgba([-1, 1, 0, 0.5], 1, 1, 2, 1))).toEqual([128, 128, 128, 255, 191, 191, 191, 255]);
    expect(Array.from(imageToRgba([-1, 0, 1, -2, 2, 0], 0, 1, 2, 3))).toEqual([0, 128, 255, 255, 0, 255, 128, 255]);
  });
});

describe('meanVector', () => {
  it('averages coordinate by coordinate', () => {
    expect(Array.from(meanVector([Float32Array.from([1, 2]), Float32Array.from([3, 6])]))).toEqual([2, 4]);
  });
});
