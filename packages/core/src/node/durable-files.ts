import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';

/*
 * File helpers for crash-safe writes. `fs` is used through the `promises` object (not named imports) so
 * that tests can make a single call fail and check what a crash at that point leaves behind.
 */

/** A short random suffix for temporary names. */
export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

/** Writes `data` to a new file (failing if it exists) and flushes it to disk before returning. */
export async function writeNewFileDurably(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a directory entry list (renames) to disk; a no-op where the platform cannot open directories. */
export async function syncDirectory(path: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(path, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; the rename itself is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** Removes a file, ignoring a file that is already gone. */
export async function removeIfPresent(path: string): Promise<void> {
  await fs.rm(path, { force: true, recursive: true });
}

/** Error code of a Node system error, if any. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error != null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

export { fs };
