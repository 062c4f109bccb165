import { readFile } from 'node:fs/promises';

import { DataError } from '../errors/data-error';
import type { PixelRegion } from '../source/image-source';

/** One face box: the image file (relative to the photos folder) and the box in pixels. */
export interface FaceBox {
  readonly file: string;
  readonly box: PixelRegion;
}

function toBox(path: string, where: string, file: unknown, values: readonly unknown[]): FaceBox {
  if (typeof file !== 'string' || file.length === 0)
    throw new DataError(`${path}: ${where}: expected a file name, got \`${JSON.stringify(file)}\``, { file: path });
  // Names are relative to the photos folder: one that climbs out of it (or is absolute) would read any file.
  if (/^[\\/]|^[A-Za-z]:[\\/]/.test(file) || file.split(/[\\/]/).includes('..')) {
    throw new DataError(
      `${path}: ${where}: \`${file}\` is not a path inside the photos folder (absolute paths and \`..\` are refused)`,
      { file: path },
    );
  }
  const numbers = values.map((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value));
  if (numbers.length !== 4 || numbers.some((value) => typeof value !== 'number' || !Number.isFinite(value))) {
    throw new DataError(
      `${path}: ${where}: expected four numbers x, y, w, h, got \`${values.map((value) => String(value)).join(', ')}\``,
      { file: path },
    );
  }
  const [left, top, width, height] = numbers as number[];
  if (width! <= 0 || height! <= 0)
    throw new DataError(`${path}: ${where}: expected a positive width and height, got w=${width} h=${height}`, {
      file: path,
    });
  return { file, box: { left: left!, top: top!, width: width!, height: height! } };
}

/**
 * Reads face boxes from JSON or a delimited text file.
 * - JSON: `[{ "file": "a.jpg", "x": 10, "y": 20, "w": 64, "h": 64 }, ...]` (also `width`/`height`, or `box: [x, y, w, h]`),
 *   or `{ "a.jpg": [[x, y, w, h], ...] }`.
 * - CSV (RFC 4180: quoted file names may hold commas, quotes and line breaks) or whitespace-separated (TSV,
 *   CelebA's `list_bbox_celeba.txt`): `file, x, y, w, h` per record; a header line is skipped, as is a leading
 *   count line.
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
        if (typeof entry !== 'object' || entry === null)
          throw new DataError(`${path}: entry ${index}: expected an object with file, x, y, w, h`, { file: path });
        const record = entry as Record<string, unknown>;
        const values = Array.isArray(record.box)
          ? record.box
          : [record.x, record.y, record.w ?? record.width, record.h ?? record.height];
        return toBox(path, `entry ${index}`, record.file, values);
      });
    }
    return Object.entries(parsed as Record<string, unknown>).flatMap(([file, boxes]) => {
      if (!Array.isArray(boxes))
        throw new DataError(`${path}: \`${file}\`: expected a list of [x, y, w, h] boxes`, { file: path });
      return boxes.map((values: unknown, index) => {
        if (!Array.isArray(values))
          throw new DataError(`${path}: \`${file}\` box ${index}: expected [x, y, w, h]`, { file: path });
        return toBox(path, `\`${file}\` box ${index}`, file, values);
      });
    });
  }
  const boxes: FaceBox[] = [];
  const firstLine = text.split(/\r?\n/).find((line) => line.trim() !== '' && !line.trim().startsWith('#')) ?? '';
  const records = firstLine.includes(',')
    ? parseCsv(path, text)
    : text
        .split(/\r?\n/)
        .map((line, index) => ({ line: index + 1, fields: line.trim() === '' ? [] : line.trim().split(/\s+/) }));
  for (const { line: lineNumber, fields: rawFields } of records) {
    const fields = rawFields.map((field, index) => (index === 0 ? field : field.trim()));
    if (fields.length === 0 || (fields.length === 1 && fields[0]!.trim() === '') || fields[0]!.trim().startsWith('#'))
      continue;
    if (boxes.length === 0 && fields.length === 1 && /^\d+$/.test(fields[0]!.trim())) continue; // CelebA's count line
    if (
      boxes.length === 0 &&
      fields.length >= 5 &&
      fields.slice(1, 5).some((field) => field === '' || Number.isNaN(Number(field)))
    )
      continue; // header
    if (fields.length !== 5) {
      throw new DataError(`${path}: line ${lineNumber}: expected 5 fields (file, x, y, w, h), got ${fields.length}`, {
        file: path,
      });
    }
    boxes.push(toBox(path, `line ${lineNumber}`, fields[0], fields.slice(1)));
  }
  return boxes;
}

/**
 * Splits comma-separated text into records (RFC 4180): a field in double quotes may hold commas, line breaks and
 * doubled quotes. Unquoted fields keep their spaces (the caller trims numbers), so `a.jpg, 1, 2` reads as well.
 */
function parseCsv(path: string, text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let index = 0;
  let quotedFieldEnded = false;
  const endField = (): void => {
    fields.push(quotedFieldEnded ? field : field.trim());
    field = '';
    quotedFieldEnded = false;
  };
  while (index < text.length) {
    const character = text[index]!;
    if (character === '"' && field.trim() === '' && !quotedFieldEnded) {
      const start = line;
      field = '';
      index += 1;
      for (;;) {
        if (index >= text.length)
          throw new DataError(`${path}: line ${start}: a quoted field is never closed`, { file: path });
        const inner = text[index]!;
        if (inner === '"') {
          if (text[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        if (inner === '\n') line += 1;
        field += inner;
        index += 1;
      }
      quotedFieldEnded = true;
      while (text[index] === ' ' || text[index] === '\t') index += 1;
      if (index < text.length && text[index] !== ',' && text[index] !== '\r' && text[index] !== '\n') {
        throw new DataError(`${path}: line ${line}: unexpected text after a quoted field`, { file: path });
      }
      continue;
    }
    if (character === ',') {
      endField();
    } else if (character === '\n' || character === '\r') {
      endField();
      records.push({ line: recordLine, fields });
      fields = [];
      if (character === '\r' && text[index + 1] === '\n') index += 1;
      line += 1;
      recordLine = line;
    } else {
      field += character;
    }
    index += 1;
  }
  if (field !== '' || fields.length > 0 || quotedFieldEnded) {
    endField();
    records.push({ line: recordLine, fields });
  }
  return records;
}
