/** Where tiles go on a canvas: `columns` per row, each `tileSize` pixels, `padding` between and around. */
export interface TileLayout {
  readonly count: number;
  readonly columns: number;
  readonly tileSize: number;
  readonly padding: number;
}

/** Canvas size for a layout. */
export function layoutSize(layout: TileLayout): { width: number; height: number } {
  const rows = Math.ceil(layout.count / layout.columns);
  return {
    width: layout.columns * (layout.tileSize + layout.padding) + layout.padding,
    height: rows * (layout.tileSize + layout.padding) + layout.padding,
  };
}

/** Top-left corner of tile `index`. */
export function tileOrigin(layout: TileLayout, index: number): { x: number; y: number } {
  return {
    x: layout.padding + (index % layout.columns) * (layout.tileSize + layout.padding),
    y: layout.padding + Math.floor(index / layout.columns) * (layout.tileSize + layout.padding),
  };
}

/** The tile under canvas pixel (x, y), or -1 on padding or outside. */
export function tileAt(layout: TileLayout, x: number, y: number): number {
  const step = layout.tileSize + layout.padding;
  const column = Math.floor((x - layout.padding) / step);
  const row = Math.floor((y - layout.padding) / step);
  if (column < 0 || row < 0 || column >= layout.columns) return -1;
  const insideX = x - layout.padding - column * step < layout.tileSize;
  const insideY = y - layout.padding - row * step < layout.tileSize;
  const index = row * layout.columns + column;
  return insideX && insideY && index < layout.count ? index : -1;
}

/**
 * One image of an NHWC batch in [-1, 1] (1 or 3 channels) as RGBA bytes for `ImageData`: -1 is black,
 * 1 is white, values outside are clipped.
 */
export function imageToRgba(
  values: ArrayLike<number>,
  index: number,
  height: number,
  width: number,
  channels: number,
): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(new ArrayBuffer(height * width * 4));
  const offset = index * height * width * channels;
  for (let pixel = 0; pixel < height * width; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      const value = values[offset + pixel * channels + (channels === 1 ? 0 : channel)]!;
      rgba[pixel * 4 + channel] = Math.round((value + 1) * 127.5);
    }
    rgba[pixel * 4 + 3] = 255;
  }
  return rgba;
}

/** Mean of equally long vectors (a slot's z). */
export function meanVector(vectors: readonly Float32Array[]): Float32Array {
  const mean = new Float32Array(vectors[0]?.length ?? 0);
  for (const vector of vectors)
    for (let index = 0; index < mean.length; index++) mean[index]! += vector[index]! / vectors.length;
  return mean;
}
