import type { RawImage } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';

/**
 * Small pixel thumbnails of hashed items, item after item (`count * size * size * channels` bytes, row-major,
 * channels interleaved), used to verify each candidate pair that the binary codes propose (see
 * {@link verifyThumbnailPair}).
 */
export interface Thumbnails {
  readonly data: Uint8Array;
  /** Side in pixels. */
  readonly size: number;
  readonly channels: number;
  /** Thumbnail pixels per image pixel (16 / 32 = 0.5 for 32-pixel hasher inputs), to turn shifts into thumbnail pixels. @default 0.5 */
  readonly scale?: number;
}

/** How a candidate pair is verified on thumbnails; every field is recorded in the report. */
export interface VerificationOptions {
  /**
   * Largest `1 - r` for a pair to count as a duplicate, where r is the Pearson correlation of the two thumbnails
   * (all channels as one vector; invariant to a brightness gain or offset), taken at the best of the allowed shifts.
   * @default 0.06 (chosen, with `backgroundTolerance` 12, gray thumbnails at the hasher's 32-pixel input and
   * `thumbnailHashRadius` 3, on planted MNIST digits, Breeze icons and photo tiles: the highest mean recall of the
   * three with precision >= 0.99 on the digits and the photos, ties broken by precision, then by thumbnail bytes;
   * packages/dedup/evaluation/EVALUATION.md, round 0.5)
   */
  readonly maximumDistance?: number;
  /**
   * Image pixels the two may be shifted against each other (as shift probes do): in thumbnail pixels, this times the
   * thumbnails' `scale`, tried in half-pixel steps with linear interpolation; the correlation is taken over the
   * overlap. @default 2
   */
  readonly maximumShift?: number;
  /**
   * Largest relative difference of the two thumbnails' mean brightness, |a - b| / max(a, b) (a black and a white
   * image correlate like two flat images do, so the means must agree too).
   * @default 0.3
   */
  readonly maximumMeanChange?: number;
  /**
   * Pixels (0..255 levels, any channel) that lie within this of *both* thumbnails' background colour are left out of
   * the correlation, so that a flat background shared by two different pictures (icons or clip art on white, digits
   * on black) does not make them correlate. A thumbnail's background colour is the per-channel median of its border
   * pixels when at least half of the border lies within this of it; a thumbnail without such a border (a photo) has
   * no background and every pixel counts. When fewer than {@link minimumForegroundPixels} pixels are left, the whole
   * overlap is compared. 0 compares every pixel (the 0.2 measure).
   * @default 12
   */
  readonly backgroundTolerance?: number;
}

/** The defaults of {@link VerificationOptions}. */
export const defaultVerification: Required<VerificationOptions> = {
  maximumDistance: 0.06,
  maximumShift: 2,
  maximumMeanChange: 0.3,
  backgroundTolerance: 12,
};

/** Below this many foreground pixels (in either thumbnail, at a shift) the whole overlap is correlated instead. */
export const minimumForegroundPixels = 8;

/**
 * Side of the verification thumbnails `hashSource` keeps when the hasher has no input shape (exact pixels, dHash); a
 * semantic hasher's thumbnails default to its input width. 1,024 bytes per gray item.
 */
export const defaultThumbnailSize = 32;

/** Channels of the verification thumbnails `hashSource` keeps by default: gray (the luma of colour input). */
export const defaultThumbnailChannels: 1 | 3 = 1;

/** Fills in and checks verification options. */
export function resolveVerification(options: VerificationOptions = {}): Required<VerificationOptions> {
  const resolved = {
    ...defaultVerification,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  };
  const { maximumDistance, maximumShift, maximumMeanChange, backgroundTolerance } = resolved;
  if (!(Number.isFinite(maximumDistance) && maximumDistance >= 0 && maximumDistance <= 2))
    throw new DedupError(`Expected \`maximumDistance\` to be a number in [0, 2], got \`${maximumDistance}\``);
  if (!(Number.isInteger(maximumShift) && maximumShift >= 0 && maximumShift <= 8))
    throw new DedupError(`Expected \`maximumShift\` to be an integer in 0..8, got \`${maximumShift}\``);
  if (!(Number.isFinite(maximumMeanChange) && maximumMeanChange >= 0 && maximumMeanChange <= 1))
    throw new DedupError(`Expected \`maximumMeanChange\` to be a number in [0, 1], got \`${maximumMeanChange}\``);
  if (!(Number.isFinite(backgroundTolerance) && backgroundTolerance >= 0 && backgroundTolerance <= 255)) {
    throw new DedupError(`Expected \`backgroundTolerance\` to be a number in [0, 255], got \`${backgroundTolerance}\``);
  }
  return resolved;
}

/**
 * The background colour of thumbnail `item` (per-channel median of its border pixels), or `undefined` when fewer than
 * half of the border pixels lie within `tolerance` of it (no flat background) or `tolerance` is 0.
 */
export function thumbnailBackground(thumbnails: Thumbnails, item: number, tolerance: number): Float64Array | undefined {
  const { data, size, channels } = thumbnails;
  if (tolerance <= 0 || size < 2) return undefined;
  const offset = item * size * size * channels;
  const border: number[] = [];
  for (let y = 0; y < size; y += 1)
    for (let x = 0; x < size; x += 1)
      if (y === 0 || y === size - 1 || x === 0 || x === size - 1) border.push((y * size + x) * channels);
  const background = new Float64Array(channels);
  const values = new Float64Array(border.length);
  for (let channel = 0; channel < channels; channel += 1) {
    border.forEach((at, index) => {
      values[index] = data[offset + at + channel]!;
    });
    values.sort();
    const middle = values.length >> 1;
    background[channel] = values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
  }
  let near = 0;
  for (const at of border) {
    let within = true;
    for (let channel = 0; channel < channels; channel += 1)
      if (Math.abs(data[offset + at + channel]! - background[channel]!) > tolerance) within = false;
    if (within) near += 1;
  }
  return 2 * near >= border.length ? background : undefined;
}

/**
 * An area-averaged `size` x `size` thumbnail of an image (each output pixel is the mean of the input area it
 * covers, fractional edges weighted) with `channels` channels: 1 (gray: the luma of colour input) or 3 (RGB: gray
 * input repeated); alpha is dropped.
 *
 * @example
 * const thumbnail = makeThumbnail(image, 16, 3); // 16 * 16 * 3 bytes
 */
export function makeThumbnail(
  image: RawImage,
  size: number,
  channels: 1 | 3 = image.channels >= 3 ? 3 : 1,
): Uint8Array {
  const { width, height, data } = image;
  const inputChannels = image.channels;
  if (!Number.isInteger(size) || size < 1)
    throw new DedupError(`Expected the thumbnail size to be a positive integer, got \`${size}\``);
  const colour = inputChannels >= 3;
  const output = new Uint8Array(size * size * channels);
  const spans = (inputSide: number) =>
    Array.from({ length: size }, (_, cell) => {
      const from = (cell * inputSide) / size;
      const to = ((cell + 1) * inputSide) / size;
      const pixels: [number, number][] = [];
      for (let pixel = Math.floor(from); pixel < Math.ceil(to); pixel += 1)
        pixels.push([pixel, Math.min(to, pixel + 1) - Math.max(from, pixel)]);
      return pixels;
    });
  const columns = spans(width);
  const rows = spans(height);
  const sums = new Float64Array(channels);
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column < size; column += 1) {
      sums.fill(0);
      let area = 0;
      for (const [y, wy] of rows[row]!) {
        for (const [x, wx] of columns[column]!) {
          const weight = wy * wx;
          area += weight;
          const at = (y * width + x) * inputChannels;
          if (channels === 3) {
            for (let channel = 0; channel < 3; channel += 1)
              sums[channel] = sums[channel]! + weight * data[at + (colour ? channel : 0)]!;
          } else {
            sums[0] =
              sums[0]! +
              weight * (colour ? 0.299 * data[at]! + 0.587 * data[at + 1]! + 0.114 * data[at + 2]! : data[at]!);
          }
        }
      }
      for (let channel = 0; channel < channels; channel += 1)
        output[(row * size + column) * channels + channel] = Math.round(sums[channel]! / area);
    }
  }
  return output;
}

/**
 * The distance {@link VerificationOptions} thresholds: `1 - r` at the best allowed shift, r taken over the pixels that
 * are not background in both thumbnails (see `backgroundTolerance`), or `Infinity` when the means differ by more than
 * `maximumMeanChange`. 0 for identical thumbnails; two flat thumbnails of similar brightness are 0.
 * With `stopAt`, returns as soon as some shift is within it (a value <= stopAt, not necessarily the smallest).
 */
export function thumbnailDistance(
  thumbnails: Thumbnails,
  first: number,
  second: number,
  options: Required<VerificationOptions>,
  stopAt = Number.NEGATIVE_INFINITY,
): number {
  const { data, size, channels } = thumbnails;
  const stride = size * size * channels;
  const a = first * stride;
  const b = second * stride;
  let meanA = 0;
  let meanB = 0;
  for (let index = 0; index < stride; index += 1) {
    meanA += data[a + index]!;
    meanB += data[b + index]!;
  }
  meanA /= stride;
  meanB /= stride;
  const brighter = Math.max(meanA, meanB);
  // 4/255 of slack so that two nearly black images are not told apart by rounding.
  if (Math.abs(meanA - meanB) > options.maximumMeanChange * brighter + 4) return Number.POSITIVE_INFINITY;
  const steps = Math.round(2 * Math.min(options.maximumShift * (thumbnails.scale ?? 0.5), size - 1));
  const plans = shiftPlans(size, steps);
  const tolerance = options.backgroundTolerance;
  const backgroundA = thumbnailBackground(thumbnails, first, tolerance);
  const backgroundB = thumbnailBackground(thumbnails, second, tolerance);
  const masked = backgroundA !== undefined || backgroundB !== undefined;
  const valuesA = new Float64Array(channels);
  const valuesB = new Float64Array(channels);
  const shiftDistance = (plan: ShiftPlan): number => {
    const { columnAt, columnWeight, rowAt, rowWeight, columnCount, rowCount } = plan;
    const rowBytes = size * channels;
    // Sums over the whole overlap, and over its foreground (pixels not background in both thumbnails).
    let sumA = 0;
    let sumB = 0;
    let sumAA = 0;
    let sumBB = 0;
    let sumAB = 0;
    let frontCount = 0;
    let frontA = 0;
    let frontB = 0;
    let frontAA = 0;
    let frontBB = 0;
    let frontAB = 0;
    for (let row = 0; row < rowCount; row += 1) {
      const yA = rowAt[2 * row]!;
      const yB = rowAt[2 * row + 1]!;
      const wyA = rowWeight[2 * row]!;
      const wyB = rowWeight[2 * row + 1]!;
      for (let column = 0; column < columnCount; column += 1) {
        const xA = columnAt[2 * column]!;
        const xB = columnAt[2 * column + 1]!;
        const wxA = columnWeight[2 * column]!;
        const wxB = columnWeight[2 * column + 1]!;
        let foreground = !masked;
        for (let channel = 0; channel < channels; channel += 1) {
          const valueA = bilinear(data, a + yA * rowBytes + xA * channels + channel, rowBytes, channels, wxA, wyA);
          const valueB = bilinear(data, b + yB * rowBytes + xB * channels + channel, rowBytes, channels, wxB, wyB);
          valuesA[channel] = valueA;
          valuesB[channel] = valueB;
          sumA += valueA;
          sumB += valueB;
          sumAA += valueA * valueA;
          sumBB += valueB * valueB;
          sumAB += valueA * valueB;
          if (
            !foreground &&
            (backgroundA === undefined ||
              Math.abs(valueA - backgroundA[channel]!) > tolerance ||
              backgroundB === undefined ||
              Math.abs(valueB - backgroundB[channel]!) > tolerance)
          ) {
            foreground = true;
          }
        }
        if (masked && foreground) {
          frontCount += channels;
          for (let channel = 0; channel < channels; channel += 1) {
            const valueA = valuesA[channel]!;
            const valueB = valuesB[channel]!;
            frontA += valueA;
            frontB += valueB;
            frontAA += valueA * valueA;
            frontBB += valueB * valueB;
            frontAB += valueA * valueB;
          }
        }
      }
    }
    if (masked && frontCount >= minimumForegroundPixels * channels)
      return correlationDistance(frontCount, frontA, frontB, frontAA, frontBB, frontAB);
    return correlationDistance(rowCount * columnCount * channels, sumA, sumB, sumAA, sumBB, sumAB);
  };
  let best = shiftDistance(plans[0]!);
  if (best <= stopAt) return best;
  for (let plan = 1; plan < plans.length; plan += 1) {
    best = Math.min(best, shiftDistance(plans[plan]!));
    if (best <= stopAt) return best;
  }
  return best;
}

/** 1 - Pearson r from the count and sums of a, b, a^2, b^2 and ab. */
function correlationDistance(
  count: number,
  sumA: number,
  sumB: number,
  sumAA: number,
  sumBB: number,
  sumAB: number,
): number {
  if (count === 0) return Number.POSITIVE_INFINITY;
  const varianceA = sumAA - (sumA * sumA) / count;
  const varianceB = sumBB - (sumB * sumB) / count;
  const covariance = sumAB - (sumA * sumB) / count;
  // Variance floor (a standard deviation of 2/255): flat areas correlate as 0 with texture, as 1 with flat.
  const floor = 4 * count;
  if (varianceA < floor && varianceB < floor) return 0;
  return 1 - covariance / Math.sqrt(Math.max(varianceA, floor) * Math.max(varianceB, floor));
}

/** Value at a pixel, linearly interpolated towards the next column (weight wx) and row (weight wy). */
function bilinear(data: Uint8Array, at: number, rowBytes: number, channels: number, wx: number, wy: number): number {
  let value = data[at]!;
  if (wx > 0) value = (1 - wx) * value + wx * data[at + channels]!;
  if (wy > 0) {
    let below = data[at + rowBytes]!;
    if (wx > 0) below = (1 - wx) * below + wx * data[at + rowBytes + channels]!;
    value = (1 - wy) * value + wy * below;
  }
  return value;
}

/** Where a and b are read for one relative shift: per overlap column/row, [a, b] pixel pairs and weights. */
interface ShiftPlan {
  readonly columnAt: Int32Array;
  readonly columnWeight: Float64Array;
  readonly columnCount: number;
  readonly rowAt: Int32Array;
  readonly rowWeight: Float64Array;
  readonly rowCount: number;
}

const planCache = new Map<string, readonly ShiftPlan[]>();

/**
 * The shifts tried, zero first, then every (x, y) shift in half-pixel steps up to `steps` half pixels. Per axis, for a
 * relative shift s, a is read at x + offsetA and b at x + offsetB with linear interpolation: whole shifts move a only
 * (no blur); half shifts move a by s/2 and b by -s/2, so both are interpolated alike (a shift of one input pixel is
 * half a pixel of a half-size thumbnail).
 */
function shiftPlans(size: number, steps: number): readonly ShiftPlan[] {
  const key = `${size}/${steps}`;
  const cached = planCache.get(key);
  if (cached !== undefined) return cached;
  const axis = (shift: number) => {
    const whole = Number.isInteger(shift);
    const offsetA = whole ? shift : shift / 2;
    const offsetB = whole ? 0 : -shift / 2;
    const ok = (position: number) => position >= 0 && Math.ceil(position) <= size - 1;
    const positions: number[] = [];
    for (let x = 0; x < size; x += 1) if (ok(x + offsetA) && ok(x + offsetB)) positions.push(x);
    const at = new Int32Array(2 * positions.length);
    const weight = new Float64Array(2 * positions.length);
    positions.forEach((x, index) => {
      for (const [slot, offset] of [
        [0, offsetA],
        [1, offsetB],
      ] as const) {
        const floor = Math.floor(x + offset);
        at[2 * index + slot] = floor;
        weight[2 * index + slot] = x + offset - floor;
      }
    });
    return { at, weight, count: positions.length };
  };
  const shifts: [number, number][] = [[0, 0]];
  for (let stepY = -steps; stepY <= steps; stepY += 1)
    for (let stepX = -steps; stepX <= steps; stepX += 1)
      if (stepX !== 0 || stepY !== 0) shifts.push([stepX / 2, stepY / 2]);
  const plans = shifts.map(([shiftX, shiftY]) => {
    const columns = axis(shiftX);
    const rows = axis(shiftY);
    return {
      columnAt: columns.at,
      columnWeight: columns.weight,
      columnCount: columns.count,
      rowAt: rows.at,
      rowWeight: rows.weight,
      rowCount: rows.count,
    };
  });
  planCache.set(key, plans);
  return plans;
}

/** True when the pair passes verification (see {@link thumbnailDistance}). */
export function verifyThumbnailPair(
  thumbnails: Thumbnails,
  first: number,
  second: number,
  options: Required<VerificationOptions>,
): boolean {
  return thumbnailDistance(thumbnails, first, second, options, options.maximumDistance) <= options.maximumDistance;
}
