import { LatentError } from '../errors/latent-error';

/** A box drawn on generated sample `sample`, in that image's pixels (x to the right, y down). */
export interface ObjectBox {
  /** Index of the generated sample (row of the latent matrix) the box was drawn on. */
  readonly sample: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /**
   * Marks a box around something that is *not* the object (e.g. the rest of the drawing): its feature
   * positions become negatives, in addition to the random ones. Useful where most of an image is empty
   * background, so that random negatives alone would teach "drawing versus background".
   * @default false
   */
  readonly negative?: boolean;
}

/**
 * A boxes file: which samples were drawn (`sampleLatent(count, latentDim, seed)` from `@dcgan/core`,
 * the sheet `dcgan-latent forget` writes) and the boxes drawn on them.
 *
 * ```json
 * { "seed": 12, "count": 64, "imageSize": 32,
 *   "boxes": [{ "sample": 3, "x": 4, "y": 2, "width": 20, "height": 9 },
 *             { "sample": 3, "x": 10, "y": 12, "width": 6, "height": 16, "negative": true }] }
 * ```
 */
export interface BoxesFile {
  /** Seed of the latent vectors the boxes were drawn on. */
  readonly seed: number;
  /** How many latent vectors were drawn with that seed. */
  readonly count: number;
  /** Side of the images the boxes' pixel coordinates refer to. */
  readonly imageSize: number;
  readonly boxes: readonly ObjectBox[];
}

function fail(source: string, message: string): never {
  throw new LatentError(`${source}: ${message}`);
}

function wholeNumber(source: string, value: unknown, label: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    fail(
      source,
      `expected \`${label}\` to be an integer >= ${minimum}, got \`${JSON.stringify(value) ?? String(value)}\``,
    );
  }
  return value;
}

/**
 * Checks boxes (parsed JSON, or the text of a boxes file) and returns them typed. Every problem names
 * `source` (the file) and the offending field, e.g. `boxes.json: \`boxes[2].width\` must ...`.
 *
 * @example
 * ```ts
 * const file = parseBoxesFile(await readFile('boxes.json', 'utf8'), 'boxes.json');
 * ```
 */
export function parseBoxesFile(input: unknown, source = 'boxes'): BoxesFile {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      fail(source, `not valid JSON (${(error as Error).message})`);
    }
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value))
    fail(source, 'expected a JSON object with `seed`, `count`, `imageSize` and `boxes`');
  const record = value as Record<string, unknown>;
  const seed = wholeNumber(source, record.seed, 'seed', 0);
  const count = wholeNumber(source, record.count, 'count', 1);
  const imageSize = wholeNumber(source, record.imageSize, 'imageSize', 1);
  if (!Array.isArray(record.boxes))
    fail(source, `expected \`boxes\` to be an array, got \`${JSON.stringify(record.boxes) ?? 'nothing'}\``);
  const boxes = record.boxes.map((entry: unknown, index: number): ObjectBox => {
    const label = `boxes[${index}]`;
    if (entry == null || typeof entry !== 'object')
      fail(source, `expected \`${label}\` to be an object, got \`${JSON.stringify(entry)}\``);
    const box = entry as Record<string, unknown>;
    const sample = wholeNumber(source, box.sample, `${label}.sample`, 0);
    if (sample >= count)
      fail(source, `\`${label}.sample\` is ${sample}, but only ${count} samples were drawn (0..${count - 1})`);
    const coordinate = (key: 'x' | 'y' | 'width' | 'height', minimum: number) => {
      const number = box[key];
      if (typeof number !== 'number' || !Number.isFinite(number) || number < minimum) {
        fail(
          source,
          `expected \`${label}.${key}\` to be a number >= ${minimum}, got \`${JSON.stringify(number) ?? 'nothing'}\``,
        );
      }
      return number;
    };
    const x = coordinate('x', 0);
    const y = coordinate('y', 0);
    const width = coordinate('width', Number.MIN_VALUE);
    const height = coordinate('height', Number.MIN_VALUE);
    if (x + width > imageSize || y + height > imageSize) {
      fail(
        source,
        `\`${label}\` (x ${x}, y ${y}, ${width}x${height}) reaches outside the ${imageSize}x${imageSize} image`,
      );
    }
    if (box.negative !== undefined && typeof box.negative !== 'boolean') {
      fail(source, `expected \`${label}.negative\` to be true or false, got \`${JSON.stringify(box.negative)}\``);
    }
    return box.negative === true ? { sample, x, y, width, height, negative: true } : { sample, x, y, width, height };
  });
  if (!boxes.some((box) => box.negative !== true))
    fail(source, 'has no boxes: draw at least one box around the object to forget');
  return { seed, count, imageSize, boxes };
}
