import { writeFileAtomic } from '@dcgan/common/node';

import { isUnreadableRecord, type JournalRecord } from './journal';

/** A kept face box as written to the boxes file: photo path (relative to the photos folder) and its box in pixels. */
export interface BoxesFileRow {
  readonly file: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** The kept boxes of journal records, in journal order. */
export function* keptBoxes(records: Iterable<JournalRecord>): Generator<BoxesFileRow> {
  for (const record of records) {
    if (isUnreadableRecord(record)) continue;
    for (const face of record.faces) {
      if (face.kept) yield { file: record.file, x: face.x, y: face.y, w: face.w, h: face.h };
    }
  }
}

/** Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Writes the kept boxes as CSV (header `file,x,y,w,h`), atomically. `x, y` is the top-left corner, `w, h` the size,
 * in pixels of the EXIF-oriented photo; `file` is relative to the photos folder with `/` separators.
 *
 * @example
 * await writeBoxesCsv('faces/boxes.csv', [{ file: 'party.jpg', x: 414, y: 354, w: 177, h: 239 }]);
 */
export async function writeBoxesCsv(path: string, rows: Iterable<BoxesFileRow>): Promise<void> {
  function* lines(): Generator<string> {
    yield 'file,x,y,w,h\n';
    for (const row of rows) yield `${csvField(row.file)},${row.x},${row.y},${row.w},${row.h}\n`;
  }
  await writeFileAtomic(path, lines());
}

/**
 * Writes the kept boxes as a JSON array of `{ "file", "x", "y", "w", "h" }`, one per line, atomically.
 *
 * @example
 * await writeBoxesJson('faces/boxes.json', [{ file: 'party.jpg', x: 414, y: 354, w: 177, h: 239 }]);
 */
export async function writeBoxesJson(path: string, rows: Iterable<BoxesFileRow>): Promise<void> {
  function* lines(): Generator<string> {
    yield '[';
    let first = true;
    for (const row of rows) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify({ file: row.file, x: row.x, y: row.y, w: row.w, h: row.h })}`;
      first = false;
    }
    yield '\n]\n';
  }
  await writeFileAtomic(path, lines());
}
