import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { DcganError } from '../errors/dcgan-error';
import { fs, writeFileAtomic } from './durable-files';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'dcgan-common-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(folder, { recursive: true, force: true });
});

/** Records which paths each `sync` call flushed, by wrapping the handles `fs.open` returns. */
function recordSyncs(): string[] {
  const synced: string[] = [];
  const realOpen = fs.open.bind(fs);
  vi.spyOn(fs, 'open').mockImplementation(async (...parameters: Parameters<typeof fs.open>) => {
    const handle = await realOpen(...parameters);
    const realSync = handle.sync.bind(handle);
    handle.sync = async () => {
      await realSync();
      synced.push(String(parameters[0]));
    };
    return handle;
  });
  return synced;
}

describe('writeFileAtomic', () => {
  it('writes bytes, text or text in pieces, replacing the old file, and leaves nothing else behind', async () => {
    const path = join(folder, 'state.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new text');
    expect(await readFile(path, 'utf8')).toBe('new text');
    await writeFileAtomic(path, new Uint8Array([1, 2, 255]));
    expect([...(await readFile(path))]).toEqual([1, 2, 255]);
    await writeFileAtomic(path, ['a,b\n', new TextEncoder().encode('1,2\n')]);
    expect(await readFile(path, 'utf8')).toBe('a,b\n1,2\n');
    expect(await readdir(folder)).toEqual(['state.json']);
  });

  it('writes many small pieces (a CSV made line by line) in order', async () => {
    const path = join(folder, 'boxes.csv');
    const lines = Array.from({ length: 20_000 }, (_, index) => `photo-${index}.jpg,${index},${index * 2},10,10\n`);
    await writeFileAtomic(path, lines);
    expect(await readFile(path, 'utf8')).toBe(lines.join(''));
  });

  it('flushes the new file before the rename and the folder after it', async () => {
    const path = join(folder, 'run.json');
    const synced = recordSyncs();
    const renamed: string[] = [];
    const realRename = fs.rename.bind(fs);
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      renamed.push(`${synced.length} syncs before rename`);
      await realRename(from, to);
    });
    await writeFileAtomic(path, '{}\n');
    expect(synced).toHaveLength(2);
    expect(synced[0]).toMatch(/run\.json\.tmp-[0-9a-f]{12}$/); // the temporary file, before the rename
    expect(renamed).toEqual(['1 syncs before rename']);
    expect(synced[1]).toBe(folder); // the folder, after it
  });

  it('with durable: false still replaces atomically, without an fsync', async () => {
    const path = join(folder, 'image.png');
    await writeFile(path, 'old');
    const synced = recordSyncs();
    await writeFileAtomic(path, new Uint8Array([137, 80, 78, 71]), { durable: false });
    expect(synced).toEqual([]);
    expect([...(await readFile(path))]).toEqual([137, 80, 78, 71]);
    expect(await readdir(folder)).toEqual(['image.png']);
  });

  it.each(['write', 'sync', 'rename'] as const)(
    'keeps the old file and removes the temporary one when %s fails',
    async (failing) => {
      const path = join(folder, 'manifest.json');
      await writeFile(path, 'old contents');
      const failure = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      if (failing === 'rename') {
        vi.spyOn(fs, 'rename').mockRejectedValue(failure);
      } else {
        const realOpen = fs.open.bind(fs);
        vi.spyOn(fs, 'open').mockImplementation(async (...parameters: Parameters<typeof fs.open>) => {
          const handle = await realOpen(...parameters);
          if (failing === 'write') handle.writeFile = () => Promise.reject(failure);
          else handle.sync = () => Promise.reject(failure);
          return handle;
        });
      }
      const error = await writeFileAtomic(path, 'new contents').catch((caught: unknown) => caught);
      expect(DcganError.isInstance(error)).toBe(true);
      expect((error as DcganError).message).toBe(`${path}: cannot write file: ENOSPC: no space left on device`);
      expect((error as DcganError).file).toBe(path);
      expect((error as DcganError).cause).toBe(failure);
      vi.restoreAllMocks();
      expect(await readFile(path, 'utf8')).toBe('old contents');
      expect(await readdir(folder)).toEqual(['manifest.json']);
    },
  );

  it('names the file when its folder does not exist', async () => {
    const path = join(folder, 'missing', 'a.json');
    await expect(writeFileAtomic(path, '{}')).rejects.toThrow(`${path}: cannot write file: ENOENT`);
  });
});
