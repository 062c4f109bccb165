import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { DataError } from '../errors/data-error';

/** Default image extensions of folder sources (case-insensitive). */
export const defaultImageExtensions: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.gif'];

/** What {@link listFilesRecursive} found. */
export interface FileListing {
  /** Paths relative to the root, `/`-separated, sorted. */
  readonly files: string[];
  /** Files with other extensions. */
  readonly ignored: number;
  /** Folders reached again through a symbolic link (a link to a parent, two links to one folder): not walked again. */
  readonly duplicateFolders: number;
  /** Files reached again through a symbolic link (or a linked folder seen twice): listed once, under their first path. */
  readonly duplicateFiles: number;
}

const byCodePoint = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);

/**
 * Lists files under `root` recursively, sorted by relative path (code-point order, so the listing, and hence item
 * indices and seeded shuffles, are the same on every machine). Returns paths relative to `root` with `/` separators.
 *
 * Symbolic links are followed, but every folder and file is listed once, by its real path: a link back to a parent
 * or a second link to a folder is skipped and counted. The real tree comes first: links are only followed once every
 * folder reachable without them has been walked, so a file keeps its own path rather than a link's.
 */
export async function listFilesRecursive(root: string, extensions: readonly string[]): Promise<FileListing> {
  let rootStats: Stats;
  try {
    rootStats = await stat(root);
  } catch (error) {
    throw new DataError(`${root}: cannot read folder: ${(error as Error).message}`, { cause: error, file: root });
  }
  if (!rootStats.isDirectory()) throw new DataError(`${root}: not a folder`, { file: root });
  const wanted = new Set(extensions.map((extension) => extension.toLowerCase()));
  const files: string[] = [];
  let ignored = 0;
  let duplicateFolders = 0;
  let duplicateFiles = 0;
  const seenFolders = new Set<string>();
  const seenFiles = new Set<string>();
  /** Links met while walking, followed after the real tree (in the order met: deterministic, entries are sorted). */
  const links: string[] = [];

  const addFile = (path: string, realPath: string, name: string): void => {
    const dot = name.lastIndexOf('.');
    if (!(dot > 0 && wanted.has(name.slice(dot).toLowerCase()))) {
      ignored += 1;
    } else if (seenFiles.has(realPath)) {
      duplicateFiles += 1;
    } else {
      seenFiles.add(realPath);
      files.push(relative(root, path).split(sep).join('/'));
    }
  };
  const walk = async (folder: string, realFolder: string): Promise<void> => {
    if (seenFolders.has(realFolder)) {
      duplicateFolders += 1;
      return;
    }
    seenFolders.add(realFolder);
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new DataError(`${folder}: cannot list folder: ${(error as Error).message}`, { cause: error, file: folder });
    }
    entries.sort((left, right) => byCodePoint(left.name, right.name));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isSymbolicLink()) links.push(path);
      else if (entry.isDirectory()) await walk(path, join(realFolder, entry.name));
      else if (entry.isFile()) addFile(path, join(realFolder, entry.name), entry.name);
    }
  };
  await walk(root, await realpath(root));
  // Links found while following links are appended and followed in turn; each folder is walked once, so this ends.
  for (let index = 0; index < links.length; index++) {
    const path = links[index]!;
    // A dangling link or a link loop (ELOOP) names nothing to read: passed over, as before.
    const [target, realPath] = await Promise.all([
      stat(path).catch(() => undefined),
      realpath(path).catch(() => undefined),
    ]);
    if (target === undefined || realPath === undefined) continue;
    if (target.isDirectory()) await walk(path, realPath);
    else if (target.isFile()) addFile(path, realPath, path.slice(path.lastIndexOf(sep) + 1));
  }
  files.sort(byCodePoint);
  return { files, ignored, duplicateFolders, duplicateFiles };
}
