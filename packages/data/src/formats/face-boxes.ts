import { readFile } from 'node:fs/promises';

import { DataError } from '../errors/data-error';
import type { PixelRegion } from '../source/image-source';

/** One face box: the image file (relative to the photos folder) and the box in pixels. */
export interface FaceBox {
  readonly file: string;
  readonly box: PixelRegion;
}

function toBox(path: string, where: string, file: unknown, values: readonly unknown[]): FaceBox {
  if (typeof file !== 'string' || file.length === 0) throw new DataError(`${path}: ${where}: expected a file name, got \`${JSON.stringify(file)}\``, { file: path });
  const numbers = values.map((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value));
  if (numbers.length !== 4 || numbers.some((value) => typeof value !== 'number' || !Number.isFinite(value))) {
    throw new DataError(`${path}: ${where}: expected four numbers x, y, w, h, got \`${values.map((value) => String(value)).join(', ')}\``, { file: path });
  }
  const [left, top, width, height] = numbers as number[];
  if (width! <= 0 || height! <= 0) throw new DataError(`${path}: ${where}: expected a positive width and height, got w=${width} h=${height}`, { file: path });
  return { file, box: { left: left!, top: top!, width: width!, height: height! } };
}

/**
 * Reads face boxes from JSON or a delimited text file.
 * - JSON: `[{ "file": "a.jpg", "x": 10, "y": 20, "w": 64, "h": 64 }, ...]` (also `width`/`height`, or `box: [x, y, w, h]`),
 *   or `{ "a.jpg": [[x, y, w, h], ...] }`.
 * - CSV / TSV / whitespace-separated: `file, x, y, w, h` per line; a header line is skipped, as is a leading
 *   count line (CelebA's `list_bbox_celeba.txt` reads as is).
 *
 * @example
 * const boxes = await readFaceBoxes('faces/boxes.csv');
 */
export async function readFaceBoxes(path: string): Promise<FaceBox[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DataError(`${path}: cannot read boxes file: ${(error as Error).message}`, { cause: error, file: path });
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DataError(`${path}: invalid JSON: ${(error as Error).message}`, { cause: error, file: path });
    }
    if (Array.isArray(parsed)) {
      return parsed.map((entry: unknown, index) => {
        if (typeof entry !== 'object' || entry === null) throw new DataError(`${path}: entry ${index}: expected an object with file, x, y, w, h`, { file: path });
        const record = entry as Record<string, unknown>;
        const values = Array.isArray(record.box) ? record.box : [record.x, record.y, record.w ?? record.width, record.h ?? record.height];
        return toBox(path, `entry ${index}`, record.file, values);
      });
    }
    return Object.entries(parsed as Record<string, unknown>).flatMap(([file, boxes]) => {
      if (!Array.isArray(boxes)) throw new DataError(`${path}: \`${file}\`: expected a list of [x, y, w, h] boxes`, { file: path });
      return boxes.map((values: unknown, index) => {
        if (!Array.isArray(values)) throw new DataError(`${path}: \`${file}\` box ${index}: expected [x, y, w, h]`, { file: path });
        return toBox(path, `\`${file}\` box ${index}`, file, values);
      });
    });
  }
  const boxes: FaceBox[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.includes(',') ? line.split(',').map((field) => field.trim()) : line.split(/\s+/);
    const lineNumber = index + 1;
    if (boxes.length === 0 && fields.length === 1 && /^\d+$/.test(fields[0]!)) return; // CelebA's count line
    if (boxes.length === 0 && fields.length >= 5 && fields.slice(1, 5).some((field) => field === '' || Number.isNaN(Number(field)))) return; // header
    if (fields.length !== 5) {
      throw new DataError(`${path}: line ${lineNumber}: expected 5 fields (file, x, y, w, h), got ${fields.length}`, { file: path });
    }
    boxes.push(toBox(path, `line ${lineNumber}`, fields[0], fields.slice(1)));
  });
  return boxes;
}
