import { composeImageGrid, floatsToImages, writePng, type RawImage } from '@dcgan/data';
import type * as tf from '@tensorflow/tfjs-core';

/** Images in [-1, 1] as 8-bit tiles. */
export async function tensorToTiles(images: tf.Tensor4D): Promise<RawImage[]> {
  return floatsToImages(await images.data(), images.shape);
}

/** Nearest-neighbour upscaling by an integer factor (small digits are hard to see at 32px). */
export function zoomImage(image: RawImage, zoom: number): RawImage {
  if (zoom === 1) return image;
  const { width, height, channels } = image;
  const data = new Uint8Array(width * zoom * height * zoom * channels);
  for (let y = 0; y < height * zoom; y++) {
    for (let x = 0; x < width * zoom; x++) {
      const source = (Math.floor(y / zoom) * width + Math.floor(x / zoom)) * channels;
      data.set(image.data.subarray(source, source + channels), (y * width * zoom + x) * channels);
    }
  }
  return { width: width * zoom, height: height * zoom, channels, data };
}

/** 3x5 pixel digits, one string of 15 bits per digit, row by row. */
const digitGlyphs = [
  '111101101101111',
  '010110010010111',
  '111001111100111',
  '111001111001111',
  '101101111001001',
  '111100111001111',
  '111100111101111',
  '111001001010010',
  '111101111101111',
  '111101111001111',
];

/** Writes a number in white on a black box at the tile's top-left corner (sample sheets to pick from). */
export function labelTile(tile: RawImage, text: string, scale: number): RawImage {
  const data = tile.data.slice();
  const { width, height, channels } = tile;
  const boxWidth = (text.length * 4 + 1) * scale;
  const boxHeight = 7 * scale;
  const set = (x: number, y: number, value: number) => {
    if (x < width && y < height) data.fill(value, (y * width + x) * channels, (y * width + x + 1) * channels);
  };
  for (let y = 0; y < boxHeight; y++) for (let x = 0; x < boxWidth; x++) set(x, y, 0);
  [...text].forEach((character, position) => {
    const glyph = digitGlyphs[Number(character)];
    if (glyph === undefined) return;
    for (let bit = 0; bit < 15; bit++) {
      if (glyph[bit] !== '1') continue;
      const left = (1 + position * 4 + (bit % 3)) * scale;
      const top = (1 + Math.floor(bit / 3)) * scale;
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) set(left + dx, top + dy, 255);
    }
  });
  return { width, height, channels, data };
}

/** Gray to RGB (boxes are drawn in colour). */
export function toRgbImage(image: RawImage): RawImage {
  if (image.channels === 3) return image;
  const data = new Uint8Array(image.width * image.height * 3);
  for (let pixel = 0; pixel < image.width * image.height; pixel++)
    data.fill(image.data[pixel * image.channels]!, pixel * 3, pixel * 3 + 3);
  return { width: image.width, height: image.height, channels: 3, data };
}

/** Outlines a rectangle (pixel coordinates of the unzoomed image), one zoomed pixel thick: red, or blue for negative boxes. */
export function outlineBox(
  image: RawImage,
  box: { x: number; y: number; width: number; height: number; negative?: boolean },
  zoom: number,
): RawImage {
  const rgb = toRgbImage(image);
  const data = rgb.data.slice();
  const left = Math.round(box.x * zoom);
  const top = Math.round(box.y * zoom);
  const right = Math.min(rgb.width - 1, Math.round((box.x + box.width) * zoom) - 1);
  const bottom = Math.min(rgb.height - 1, Math.round((box.y + box.height) * zoom) - 1);
  const colour = box.negative === true ? [60, 140, 255] : [255, 40, 40];
  const paint = (x: number, y: number) => data.set(colour, (y * rgb.width + x) * 3);
  for (let x = left; x <= right; x++) {
    paint(x, top);
    paint(x, bottom);
  }
  for (let y = top; y <= bottom; y++) {
    paint(left, y);
    paint(right, y);
  }
  return { ...rgb, data };
}

/** Options of {@link writeGrid}. */
export interface WriteGridOptions {
  readonly columns: number;
  readonly zoom: number;
  /** Write each tile's index in its corner (sheets to pick samples from). */
  readonly numbered?: boolean;
}

/** Tiles images into a grid (zoomed, optionally numbered) and writes it as PNG; returns the grid's size. */
export async function writeGrid(
  path: string,
  tiles: readonly RawImage[],
  options: WriteGridOptions,
): Promise<{ width: number; height: number }> {
  const zoomed = tiles.map((tile, index) => {
    const big = zoomImage(tile, options.zoom);
    return options.numbered ? labelTile(big, String(index), Math.max(1, Math.floor(big.width / 32))) : big;
  });
  const grid = composeImageGrid(zoomed, { columns: options.columns, padding: 2 * options.zoom, background: 0 });
  await writePng(path, grid);
  return { width: grid.width, height: grid.height };
}

/** Places two grids side by side with a gap (trained D | random D). */
export function sideBySide(left: RawImage, right: RawImage, gap: number): RawImage {
  const channels = Math.max(left.channels, right.channels) as RawImage['channels'];
  const [a, b] = channels === 3 ? [toRgbImage(left), toRgbImage(right)] : [left, right];
  const width = a.width + gap + b.width;
  const height = Math.max(a.height, b.height);
  const data = new Uint8Array(width * height * channels).fill(128);
  for (let y = 0; y < a.height; y++)
    data.set(a.data.subarray(y * a.width * channels, (y + 1) * a.width * channels), y * width * channels);
  for (let y = 0; y < b.height; y++)
    data.set(
      b.data.subarray(y * b.width * channels, (y + 1) * b.width * channels),
      (y * width + a.width + gap) * channels,
    );
  return { width, height, channels, data };
}
