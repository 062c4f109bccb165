// Test helpers for the JPEG decoder's fixtures (made by scripts/make-jpeg-fixtures.py with libjpeg-turbo's cjpeg
// and djpeg, and Pillow).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

/** Interleaved 8-bit pixels. */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

export const fixturesDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures');

export function fixture(name: string): string {
  return join(fixturesDirectory, name);
}

export interface JpegVariant {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly decodable: boolean;
  /** Outputs per 8 pixels (1, 2, 4, 8) -> reference file. */
  readonly references: Record<string, string>;
  readonly reference?: string;
  /** Scales (outputs per 8 pixels) the decoder must decline. */
  readonly declinedScales?: readonly number[];
}

export interface JpegManifest {
  readonly tool: string;
  readonly variants: Record<string, JpegVariant>;
  readonly resample: Record<string, string>;
  readonly pipeline: Record<
    string,
    { readonly jpeg: string; readonly size: number; readonly reference: string; readonly draftSize: [number, number] }
  >;
  readonly resampleBoxes: Record<
    string,
    { readonly width: number; readonly height: number; readonly box: [number, number, number, number] }
  >;
  readonly crops: Record<
    string,
    {
      readonly jpeg: string;
      readonly box: [number, number, number, number];
      readonly size: number;
      readonly draftSize: [number, number];
    }
  >;
}

export const jpegManifest = JSON.parse(readFileSync(fixture('manifest.json'), 'utf8')) as JpegManifest;

export function jpegFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixture(name)));
}

/** Reads a binary PGM (P5) or PPM (P6) file as written by djpeg. */
export function readPnm(name: string): RawImage {
  const bytes = readFileSync(fixture(name));
  let position = 0;
  const token = (): string => {
    while (/\s/.test(String.fromCharCode(bytes[position]!))) position += 1;
    let text = '';
    while (!/\s/.test(String.fromCharCode(bytes[position]!))) {
      text += String.fromCharCode(bytes[position]!);
      position += 1;
    }
    return text;
  };
  const magic = token();
  const width = Number(token());
  const height = Number(token());
  if (token() !== '255') throw new Error(`${name}: expected 8-bit samples`);
  position += 1;
  const channels = magic === 'P6' ? 3 : 1;
  return {
    width,
    height,
    channels,
    data: new Uint8Array(bytes.subarray(position, position + width * height * channels)),
  };
}

export async function readPngFixture(name: string): Promise<RawImage> {
  const { data, info } = await sharp(fixture(name)).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data) };
}

/** Largest and mean absolute difference over the top-left region both images cover. */
export function compareRegion(actual: RawImage, expected: RawImage): { max: number; mean: number } {
  const width = Math.min(actual.width, expected.width);
  const height = Math.min(actual.height, expected.height);
  const channels = expected.channels;
  let max = 0;
  let sum = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < channels; c += 1) {
        const difference = Math.abs(
          actual.data[(y * actual.width + x) * actual.channels + c]! -
            expected.data[(y * expected.width + x) * channels + c]!,
        );
        max = Math.max(max, difference);
        sum += difference;
      }
    }
  }
  return { max, mean: sum / (width * height * channels) };
}
