// Test helpers: paths of the committed fixtures (made by scripts/make-fixtures.py) and their expected values.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures');

export function fixture(...parts: string[]): string {
  return join(fixturesDirectory, ...parts);
}

interface ImageEntry {
  label: number;
  width: number;
  height: number;
  channels: number;
  sha256: string;
  rgbOverBlackSha256?: string;
  firstFramePixel?: number[];
}

export interface Expected {
  images: { classes: string[]; good: Record<string, ImageEntry>; corrupt: string[] };
  lmdb: {
    bedroom: {
      key: string;
      bytes: number;
      valueSha256: string;
      format: 'jpg' | 'webp';
      width: number;
      height: number;
      pixelsSha256: string;
      pixelsMean: number;
    }[];
    corruptKey: string;
    many: { count: number; sortedKeys: string[]; depth: number; branchPages: number; leafPages: number };
  };
  /** lmdb/colliding.mdb: keys that naive file naming maps to one name (py-lmdb insertion order). */
  lmdbColliding: { keyHex: string; valueSha256: string }[];
  cifar: { classNames: string[]; files: Record<string, { label: number; sha256: string }[]> };
  svhn: Record<string, { labels: number[]; sha256: string[]; compressed: boolean }>;
  idx: { labels: number[]; sha256: string[] };
  faces: { margin: number; crops: { file: string; left: number; top: number; side: number; sha256: string }[] };
}

export const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as Expected;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A small seeded byte generator for fuzzing (independent of the package's own PRNG). */
export function fuzzBytes(seed: number, length: number): Uint8Array {
  let state = seed >>> 0 || 1;
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
}
