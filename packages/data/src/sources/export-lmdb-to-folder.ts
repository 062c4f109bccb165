import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from '@dcgan/common/node';

import { DataError } from '../errors/data-error';
import { LmdbReader, type LmdbReaderOptions } from '../formats/lmdb-reader';
import type { DataEventListener } from '../source/events';
import { formatLmdbKey } from './lmdb-source';
import { isInShard, isWholeDataset, shardDirectory, shardItemCount, type Shard } from '../shard/shard-assignment';
import { collectShards, writeShardManifest } from '../shard/shard-manifest';

/** Options of {@link exportLmdbToFolder}. */
export interface ExportLmdbOptions extends LmdbReaderOptions {
  /** Export only the first `limit` entries (key order). @default all */
  readonly limit?: number;
  /** Files per numbered subfolder (`00000/`, `00001/`...), so no folder holds millions of files. 0 means flat. @default 10000 */
  readonly filesPerFolder?: number;
  /**
   * Export only this shard of the entries (entry `p` in key order when `p mod count === index`; see `resolveShard`).
   * Files land where a whole export puts them, so the shards of one folder together are the whole export; each
   * records itself in `<folder>/shards/shard-0000i-of-0000N/shard.json` and `checkLmdbExportShards` checks them all.
   * @default every entry
   */
  readonly shard?: Shard;
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

/** The stage name in the `shard.json` of an LMDB export shard. */
export const lmdbExportShardStage = 'lmdb-export';

/**
 * The merge step of a sharded export: the shards wrote their files into the same folder, so this only checks that
 * every shard is present and complete (naming any that is not) and returns the number of files exported.
 *
 * @example
 * const files = await checkLmdbExportShards('data/bedrooms'); // after exportLmdbToFolder(..., { shard }) for every shard
 */
export async function checkLmdbExportShards(folder: string): Promise<number> {
  const shards = await collectShards(folder, lmdbExportShardStage);
  return shards.reduce((sum, item) => sum + item.manifest.items, 0);
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
  return `${formatLmdbKey(key)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 160)}~${hash}`;
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
export async function exportLmdbToFolder(
  lmdbPath: string,
  folder: string,
  options: ExportLmdbOptions = {},
): Promise<ExportLmdbResult> {
  const { limit, filesPerFolder = 10_000, onEvent, signal, shard } = options;
  const sharded = shard !== undefined && !isWholeDataset(shard);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new DataError(`Expected \`limit\` to be a non-negative integer, got \`${limit}\``);
  if (!Number.isInteger(filesPerFolder) || filesPerFolder < 0)
    throw new DataError(`Expected \`filesPerFolder\` to be a non-negative integer, got \`${filesPerFolder}\``);
  const reader = await LmdbReader.open(lmdbPath, options);
  const listed = Math.min(reader.count, limit ?? Number.POSITIVE_INFINITY);
  const total = sharded ? shardItemCount(listed, shard) : listed;
  const madeFolders = new Set<string>();
  let written = 0;
  let kept = 0;
  try {
    await mkdir(folder, { recursive: true });
    let index = 0;
    let done = 0;
    const shardFolder = sharded ? shardDirectory(folder, shard) : undefined;
    if (shardFolder !== undefined) {
      await mkdir(shardFolder, { recursive: true });
      await writeShardManifest(shardFolder, {
        stage: lmdbExportShardStage,
        shard: shard!,
        items: 0,
        complete: false,
        settings: { lmdbPath, limit: limit ?? null, filesPerFolder, entries: listed },
      });
    }
    for await (const { key, value } of reader.entries()) {
      if (index >= listed) break;
      if (sharded && !isInShard(index, shard)) {
        index += 1;
        continue;
      }
      if (signal?.aborted === true)
        throw Object.assign(new DataError('export aborted; call again to resume', { cause: signal.reason }), {
          name: 'AbortError',
        });
      const subfolder =
        filesPerFolder === 0 ? folder : join(folder, String(Math.floor(index / filesPerFolder)).padStart(5, '0'));
      if (!madeFolders.has(subfolder)) {
        await mkdir(subfolder, { recursive: true });
        madeFolders.add(subfolder);
      }
      const path = join(subfolder, `${fileNameOf(key)}${imageExtensionOf(value)}`);
      const existing = await stat(path).catch(() => undefined);
      if (existing?.size === value.length) kept += 1;
      else {
        // No fsync per image (30x slower): a resume rewrites any file whose size is not the entry's.
        await writeFileAtomic(path, value, { durable: false });
        written += 1;
      }
      index += 1;
      done += 1;
      if (done % 1000 === 0) onEvent?.({ status: 'export-progress', written: done, total });
    }
    onEvent?.({ status: 'export-progress', written: done, total });
    if (shardFolder !== undefined) {
      await writeShardManifest(shardFolder, {
        stage: lmdbExportShardStage,
        shard: shard!,
        items: done,
        complete: true,
        settings: { lmdbPath, limit: limit ?? null, filesPerFolder, entries: listed },
      });
    }
  } finally {
    await reader.close();
  }
  return { total, written, kept };
}
