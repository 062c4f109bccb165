import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

import { FacesError } from '../errors/faces-error';

/** File extensions read as photos (what sharp's prebuilt binaries decode). */
export const photoExtensions = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'] as const;

function hasPhotoExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return photoExtensions.some((extension) => lower.endsWith(extension));
}

/**
 * Lists the photos under `directory`, recursively, as paths relative to it with `/` separators, sorted so that
 * every run visits them in the same order. Hidden entries (`.name`) and the folders in `exclude` (such as the
 * output folder, when it lies inside the photos) are skipped; symbolic links to folders are not followed.
 *
 * @example
 * const files = await listPhotos('photos'); // ['2019/party.jpg', 'beach.png']
 */
export async function listPhotos(directory: string, exclude: readonly string[] = []): Promise<string[]> {
  const root = resolve(directory);
  const excluded = new Set(exclude.map((path) => resolve(path)));
  try {
    const information = await stat(root);
    if (!information.isDirectory())
      throw new FacesError(`${directory}: expected a folder of photos, got a file`, { file: directory });
  } catch (error) {
    if (FacesError.isInstance(error)) throw error;
    throw new FacesError(`${directory}: cannot read the photos folder: ${(error as Error).message}`, {
      cause: error,
      file: directory,
    });
  }
  const files: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const folder = pending.pop() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new FacesError(`${folder}: cannot list folder: ${(error as Error).message}`, {
        cause: error,
        file: folder,
      });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!excluded.has(path)) pending.push(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && hasPhotoExtension(entry.name)) {
        files.push(relative(root, path).split(sep).join('/'));
      }
    }
  }
  return files.sort();
}
