import { createSeededRandom, type RawImage, type Sample } from '@dcgan/data';
import sharp from 'sharp';

import { DedupError } from '../errors/dedup-error';
import { shiftImage } from '../hash/shift-probes';
import { reencodeJpeg, toChannels } from '../image/jpeg-round-trip';

/** How a planted near-duplicate was made from its original. */
export type PlantedKind = 'jpeg' | 'shift' | 'brightness' | 'exact';

export const plantedKinds: readonly PlantedKind[] = ['jpeg', 'shift', 'brightness', 'exact'];

/** One planted pair: positions in the returned sample list. */
export interface PlantedDuplicate {
  readonly original: number;
  readonly copy: number;
  readonly kind: PlantedKind;
  /** E.g. `quality 73`, `dx 1 dy -2`, `gain 1.12`. */
  readonly detail: string;
}

/** Options of {@link plantNearDuplicates}. */
export interface PlantNearDuplicatesOptions {
  /** Copies planted, as a fraction of the originals (each copy from a different original). @default 0.05 */
  readonly fraction?: number;
  /** Share of each kind among the copies (normalised). @default { jpeg: 0.4, shift: 0.25, brightness: 0.25, exact: 0.1 } */
  readonly mix?: Readonly<Record<PlantedKind, number>>;
  /** JPEG quality range, inclusive (re-encoded with sharp/libjpeg). @default [50, 95] */
  readonly jpegQuality?: readonly [number, number];
  /** Shifts are 1..maximumShift pixels in x and/or y, zero-filled. @default 2 */
  readonly maximumShift?: number;
  /** Brightness gains are drawn from [1 - b, 1 - minimum] U [1 + minimum, 1 + b] (sharp `linear`, clipped). @default [0.05, 0.2] */
  readonly brightnessChange?: readonly [number, number];
  /** @default 0 */
  readonly seed?: number;
}

/**
 * An evaluation set with known duplicates: the originals plus near-duplicate copies of a random `fraction` of them
 * (JPEG re-encoding, a 1-2 pixel shift, a small brightness change, exact copies), all shuffled together. Pairs
 * other than the planted ones are not known to be distinct: real datasets hold natural near-duplicates too.
 *
 * @example
 * const { samples, planted } = await plantNearDuplicates(digits, { fraction: 0.05, seed: 1 });
 */
export async function plantNearDuplicates(
  originals: readonly Sample[],
  options: PlantNearDuplicatesOptions = {},
): Promise<{ samples: Sample[]; planted: PlantedDuplicate[] }> {
  const fraction = options.fraction ?? 0.05;
  const mix = options.mix ?? { jpeg: 0.4, shift: 0.25, brightness: 0.25, exact: 0.1 };
  const [qualityLow, qualityHigh] = options.jpegQuality ?? [50, 95];
  const maximumShift = options.maximumShift ?? 2;
  const [brightnessLow, brightnessHigh] = options.brightnessChange ?? [0.05, 0.2];
  if (!(fraction > 0 && fraction <= 1))
    throw new DedupError(`Expected \`fraction\` to be in (0, 1], got \`${fraction}\``);
  if (
    !(
      Number.isInteger(qualityLow) &&
      Number.isInteger(qualityHigh) &&
      qualityLow >= 1 &&
      qualityHigh <= 100 &&
      qualityLow <= qualityHigh
    )
  ) {
    throw new DedupError(
      `Expected \`jpegQuality\` to be [low, high] integers in 1..100, got \`[${qualityLow}, ${qualityHigh}]\``,
    );
  }
  if (!Number.isInteger(maximumShift) || maximumShift < 1)
    throw new DedupError(`Expected \`maximumShift\` to be a positive integer, got \`${maximumShift}\``);
  if (!(brightnessLow >= 0 && brightnessHigh > brightnessLow && brightnessHigh < 1)) {
    throw new DedupError(
      `Expected \`brightnessChange\` to be [minimum, maximum] with 0 <= minimum < maximum < 1, got \`[${brightnessLow}, ${brightnessHigh}]\``,
    );
  }
  const weights = plantedKinds.map((kind) => mix[kind] ?? 0);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  if (!(weightSum > 0) || weights.some((weight) => weight < 0))
    throw new DedupError('Expected `mix` to hold non-negative shares with a positive sum');
  const random = createSeededRandom(options.seed ?? 0);
  const copyCount = Math.round(originals.length * fraction);
  const chosen = shuffled(originals.length, random).slice(0, copyCount);
  // Exact counts per kind (largest remainders), so a mix gives the same numbers every time.
  const counts = plantedKinds.map((_, index) => Math.floor((weights[index]! / weightSum) * copyCount));
  let remainder = copyCount - counts.reduce((sum, count) => sum + count, 0);
  for (let index = 0; remainder > 0; index = (index + 1) % counts.length, remainder -= 1)
    counts[index] = counts[index]! + 1;
  const kinds = plantedKinds.flatMap((kind, index) => Array.from({ length: counts[index]! }, () => kind));

  const copies: { sample: Sample; original: number; kind: PlantedKind; detail: string }[] = [];
  for (let position = 0; position < copyCount; position += 1) {
    const original = chosen[position]!;
    const sample = originals[original]!;
    const kind = kinds[position]!;
    let image: RawImage;
    let detail: string;
    switch (kind) {
      case 'jpeg': {
        const quality = qualityLow + Math.floor(random() * (qualityHigh - qualityLow + 1));
        image = await reencodeJpeg(sample.image, quality);
        detail = `quality ${quality}`;
        break;
      }
      case 'shift': {
        let dx = 0;
        let dy = 0;
        while (dx === 0 && dy === 0) {
          dx = Math.floor(random() * (2 * maximumShift + 1)) - maximumShift;
          dy = Math.floor(random() * (2 * maximumShift + 1)) - maximumShift;
        }
        image = shiftImage(sample.image, dx, dy);
        detail = `dx ${dx} dy ${dy}`;
        break;
      }
      case 'brightness': {
        const change = brightnessLow + random() * (brightnessHigh - brightnessLow);
        const gain = random() < 0.5 ? 1 - change : 1 + change;
        image = await changeBrightness(sample.image, gain);
        detail = `gain ${gain.toFixed(3)}`;
        break;
      }
      case 'exact':
        image = { ...sample.image, data: sample.image.data.slice() };
        detail = 'exact copy';
        break;
    }
    copies.push({ sample: { key: `${sample.key}~${kind}`, label: sample.label, image }, original, kind, detail });
  }
  // Shuffle originals and copies together; remember where each landed.
  const all: Sample[] = [...originals, ...copies.map((copy) => copy.sample)];
  const order = shuffled(all.length, random);
  const positionOf = new Int32Array(all.length);
  order.forEach((from, to) => (positionOf[from] = to));
  const samples = order.map((from) => all[from]!);
  const planted = copies.map((copy, index) => ({
    original: positionOf[copy.original]!,
    copy: positionOf[originals.length + index]!,
    kind: copy.kind,
    detail: copy.detail,
  }));
  return { samples, planted };
}

function shuffled(count: number, random: () => number): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

async function changeBrightness(image: RawImage, gain: number): Promise<RawImage> {
  const { width, height, channels } = image;
  const { data, info } = await sharp(image.data, { raw: { width, height, channels } })
    .linear(gain, 0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return toChannels(new Uint8Array(data.buffer, data.byteOffset, data.length), info.channels, image);
}
