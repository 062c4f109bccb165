import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { DataError } from '../errors/data-error';
import { LmdbReader, type LmdbReaderOptions } from '../formats/lmdb-reader';
import { writeFileAtomic } from '../image/encode-png';
import type { DataEventListener } from '../source/events';
import { formatLmdbKey } from './lmdb-source';

/** Options of {@link exportLmdbToFolder}. */
export interface ExportLmdbOptions extends LmdbReaderOptions {
  /** Export only the first `limit` entries (key order). @default all */
  readonly limit?: number;
  /** Files per numbered subfolder (`00000/`, `00001/`...), so no folder holds millions of files. 0 means flat. @default 10000 */
  readonly filesPerFolder?: number;
  /** Receives `export-progress` events every 1,000 files. */
  readonly onEvent?: DataEventListener;
  /** Stops after the current file; a later call resumes (existing files of the right size are kept). */
  readonly signal?: AbortSignal;
}

/** What {@link exportLmdbToFolder} did. */
export interface ExportLmdbResult {
  readonly total: number;
  readonly written: number;
  /** Files already present with the right size (a resumed export). */
  readonly kept: number;
}

/** File extension of encoded image bytes, from their magic number. */
export function imageExtensionOf(bytes: Uint8Array): string {
  const ascii = (start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return '.jpg';
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return '.png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return '.webp';
  if (ascii(0, 4) === 'GIF8') return '.gif';
  return '.bin';
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The file name (without extension) of an entry: the key itself when it already is a plain lowercase name (LSUN's
 * 40-hex ids), otherwise its characters made safe, cut to 160, then `~` and 32 hex digits of the key's SHA-256.
 * `~` never appears in a plain name, so no two keys share a file: not `a/b` and `a_b`, not two long keys alike in
 * their first 200 characters, not a binary key and the ASCII key of its hex, not `A` and `a` on a
 * case-insensitive disk.
 */
function fileNameOf(key: Uint8Array): string {
  let text: string | undefined;
  try {
    text = textDecoder.decode(key);
  } catch {
    text = undefined;
  }
  if (text !== undefined && /^[a-z0-9_-][a-z0-9._-]{0,199}$/.test(text)) return text;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `${formatLmdbKey(key).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 160)}~${hash}`;
}

/**
 * Writes every value of an LMDB of encoded images (an LSUN scene release) to files named after their keys, with the
 * extension their bytes call for (LSUN's are `.jpg`), so that tools that want folders can use them: one file per
 * entry (keys that are not plain lowercase file names get a hash suffix, see the README). Writes are atomic and the
 * export resumes where it stopped.
 *
 * @example
 * await exportLmdbToFolder('data/bedroom_train_lmdb', 'data/bedrooms', { onEvent: console.log });
 */
export async function exportLmdbToFolder(lmdbPath: string, folder: string, options: ExportLmdbOptions = {}): Promise<ExportLmdbResult> {
  const { limit, filesPerFolder = 10_000, onEvent, signal } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new DataError(`Expected \`limit\` to be a non-negative integer, got \`${limit}\``);
  if (!Number.isInteger(filesPerFolder) || filesPerFolder < 0) throw new DataError(`Expected \`filesPerFolder\` to be a non-negative integer, got \`${filesPerFolder}\``);
  const reader = await LmdbReader.open(lmdbPath, options);
  const total = Math.min(reader.count, limit ?? Number.POSITIVE_INFINITY);
  let written = 0;
  let kept = 0;
  try {
    await mkdir(folder, { recursive: true });
    let index = 0;
    for await (const { key, value } of reader.entries()) {
      if (index >= total) break;
      if (signal?.aborted === true) throw Object.assign(new DataError('export aborted; call again to resume', { cause: signal.reason }), { name: 'AbortError' });
      const subfolder = filesPerFolder === 0 ? folder : join(folder, String(Math.floor(index / filesPerFolder)).padStart(5, '0'));
      if (filesPerFolder !== 0 && index % filesPerFolder === 0) await mkdir(subfolder, { recursive: true });
      const path = join(subfolder, `${fileNameOf(key)}${imageExtensionOf(value)}`);
      const existing = await stat(path).catch(() => undefined);
      if (existing?.size === value.length) kept += 1;
      else {
        await writeFileAtomic(path, value);
        written += 1;
      }
      index += 1;
      if (index % 1000 === 0) onEvent?.({ status: 'export-progress', written: index, total });
    }
    onEvent?.({ status: 'export-progress', written: index, total });
  } finally {
    await reader.close();
  }
  return { total, written, kept };
}
