import type { RawImage } from '@dcgan/data';

import { glyph, glyphAdvance, glyphHeight } from './bitmap-font';

/** An RGB colour, 0..255 per channel. */
export type Color = readonly [number, number, number];

/**
 * A small RGB drawing surface for charts: filled rectangles, anti-aliased lines of any width, and text in
 * the 5x7 bitmap font. Coordinates are pixels, x to the right and y down; drawing outside is clipped.
 */
export class Raster {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Color,
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  /** Blends `color` into pixel (x, y) with opacity `alpha` (0..1). */
  blend(x: number, y: number, color: Color, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(alpha > 0)) return;
    const offset = (y * this.width + x) * 3;
    const a = alpha >= 1 ? 1 : alpha;
    for (let channel = 0; channel < 3; channel += 1) {
      const old = this.data[offset + channel]!;
      this.data[offset + channel] = Math.round(old + (color[channel]! - old) * a);
    }
  }

  fillRect(x: number, y: number, width: number, height: number, color: Color): void {
    const left = Math.max(0, Math.round(x));
    const top = Math.max(0, Math.round(y));
    const right = Math.min(this.width, Math.round(x + width));
    const bottom = Math.min(this.height, Math.round(y + height));
    for (let row = top; row < bottom; row += 1) {
      for (let column = left; column < right; column += 1) this.blend(column, row, color);
    }
  }

  /**
   * An anti-aliased line segment `lineWidth` pixels wide (coverage from the distance of each pixel centre to
   * the segment), optionally clipped to a rectangle.
   */
  line(x0: number, y0: number, x1: number, y1: number, color: Color, lineWidth = 1.5, clip?: Rectangle): void {
    const half = lineWidth / 2;
    const left = Math.floor(Math.max(Math.min(x0, x1) - half - 1, clip?.left ?? 0, 0));
    const right = Math.ceil(Math.min(Math.max(x0, x1) + half + 1, clip?.right ?? this.width - 1, this.width - 1));
    const top = Math.floor(Math.max(Math.min(y0, y1) - half - 1, clip?.top ?? 0, 0));
    const bottom = Math.ceil(Math.min(Math.max(y0, y1) + half + 1, clip?.bottom ?? this.height - 1, this.height - 1));
    const dx = x1 - x0;
    const dy = y1 - y0;
    const lengthSquared = dx * dx + dy * dy;
    for (let y = top; y <= bottom; y += 1) {
      for (let x = left; x <= right; x += 1) {
        const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / lengthSquared));
        const distance = Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy));
        const coverage = half + 0.5 - distance;
        if (coverage > 0) this.blendMax(x, y, color, coverage);
      }
    }
  }

  /** Text in the bitmap font, each font pixel a `scale` x `scale` block; a character the font lacks is a box. */
  text(text: string, x: number, y: number, color: Color, scale = 1): void {
    [...text].forEach((character, index) => {
      const pixels = glyph(character);
      const left = Math.round(x) + index * glyphAdvance * scale;
      for (let row = 0; row < glyphHeight; row += 1) {
        for (let column = 0; column < 5; column += 1) {
          const ink =
            pixels === undefined
              ? row === 0 || row === glyphHeight - 1 || column === 0 || column === 4
              : pixels[row * 5 + column] === 1;
          if (ink) this.fillRect(left + column * scale, Math.round(y) + row * scale, scale, scale, color);
        }
      }
    });
  }

  image(): RawImage {
    return { width: this.width, height: this.height, channels: 3, data: this.data };
  }

  /*
   * Joined segments of one polyline overlap at their ends; blending each would darken the joints. So while a
   * polyline is drawn, `coverage` remembers the strongest coverage each pixel got from it, and a pixel only
   * receives what a later segment adds beyond that.
   */
  private blendMax(x: number, y: number, color: Color, coverage: number): void {
    const index = y * this.width + x;
    const previous = this.coverage?.get(index) ?? 0;
    if (coverage <= previous) return;
    // Blend only the extra coverage over what this line already put here.
    const extra = (Math.min(coverage, 1) - previous) / (1 - previous);
    this.coverage?.set(index, Math.min(coverage, 1));
    this.blend(x, y, color, extra);
  }

  private coverage: Map<number, number> | undefined;

  /** Draws a connected line through `points`, with even joints. */
  polyline(points: readonly (readonly [number, number])[], color: Color, lineWidth: number, clip?: Rectangle): void {
    this.coverage = new Map();
    try {
      for (let index = 1; index < points.length; index += 1) {
        const [x0, y0] = points[index - 1]!;
        const [x1, y1] = points[index]!;
        this.line(x0, y0, x1, y1, color, lineWidth, clip);
      }
      if (points.length === 1)
        this.line(points[0]![0], points[0]![1], points[0]![0], points[0]![1], color, lineWidth + 1, clip);
    } finally {
      this.coverage = undefined;
    }
  }
}

/** A pixel rectangle, edges included. */
export interface Rectangle {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}
