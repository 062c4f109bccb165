import type { RawImage } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';

/** The (dx, dy) offsets probed for a maximum shift: every offset in [-shift, shift]^2 except (0, 0), row by row. */
export function shiftOffsets(maximumShift: number): readonly (readonly [number, number])[] {
  if (!Number.isInteger(maximumShift) || maximumShift < 0 || maximumShift > 8)
    throw new DedupError(`Expected \`shiftProbes\` to be an integer in 0..8, got \`${maximumShift}\``);
  const offsets: [number, number][] = [];
  for (let dy = -maximumShift; dy <= maximumShift; dy += 1) {
    for (let dx = -maximumShift; dx <= maximumShift; dx += 1) if (dx !== 0 || dy !== 0) offsets.push([dx, dy]);
  }
  return offsets;
}

/**
 * The image moved right by `dx` and down by `dy` pixels; uncovered pixels are 0 (black).
 *
 * @example
 * const moved = shiftImage(image, 1, -2); // one pixel right, two up
 */
export function shiftImage(image: RawImage, dx: number, dy: number): RawImage {
  const { width, height, channels, data } = image;
  const shifted = new Uint8Array(data.length);
  const rowBytes = width * channels;
  const columnFrom = Math.max(0, dx);
  const columnTo = Math.min(width, width + dx);
  if (columnTo > columnFrom) {
    for (let row = Math.max(0, dy); row < Math.min(height, height + dy); row += 1) {
      const sourceRow = row - dy;
      shifted.set(
        data.subarray(
          sourceRow * rowBytes + (columnFrom - dx) * channels,
          sourceRow * rowBytes + (columnTo - dx) * channels,
        ),
        row * rowBytes + columnFrom * channels,
      );
    }
  }
  return { width, height, channels, data: shifted };
}
