import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { DataError } from '../errors/data-error';

/** Default image extensions of folder sources (case-insensitive). */
export const defaultImageExtensions: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.gif'];

/**
 * Lists files under `root` recursively, sorted by relative path (code-point order, so the listing, and hence item
 * indices and seeded shuffles, are the same on every machine). Returns paths relative to `root` with `/` separators.
 */
export async function listFilesRecursive(root: string, extensions: readonly string[]): Promise<{ files: string[]; ignored: number }> {
  let rootStats;
  try {
    rootStats = await stat(root);
  } catch (error) {
    throw new DataError(`${root}: cannot read folder: ${(error as Error).message}`, { cause: error, file: root });
  }
  if (!rootStats.isDirectory()) throw new DataError(`${root}: not a folder`, { file: root });
  const wanted = new Set(extensions.map((extension) => extension.toLowerCase()));
  const files: string[] = [];
  let ignored = 0;
  const walk = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new DataError(`${folder}: cannot list folder: ${(error as Error).message}`, { cause: error, file: folder });
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        isDirectory = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDirectory) await walk(path);
      else if (isFile) {
        const dot = entry.name.lastIndexOf('.');
        if (dot > 0 && wanted.has(entry.name.slice(dot).toLowerCase())) files.push(relative(root, path).split(sep).join('/'));
        else ignored += 1;
      }
    }
  };
  await walk(root);
  files.sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  return { files, ignored };
}
