import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { listPhotos } from './list-photos';

describe('listPhotos', () => {
  it('lists photos recursively and sorted, skipping hidden entries, other files and excluded folders', async () => {
    const root = await mkdtemp(join(tmpdir(), 'faces-list-'));
    for (const folder of ['b', 'a/deep', '.cache', 'out']) await mkdir(join(root, folder), { recursive: true });
    for (const file of [
      'z.JPG',
      'b/two.png',
      'a/deep/one.webp',
      'a/readme.txt',
      '.hidden.jpg',
      '.cache/x.jpg',
      'out/crop.png',
    ]) {
      await writeFile(join(root, file), '');
    }
    expect(await listPhotos(root, [join(root, 'out')])).toEqual(['a/deep/one.webp', 'b/two.png', 'z.JPG']);
  });

  it('says which path is wrong', async () => {
    await expect(listPhotos('/no/such/folder')).rejects.toThrow('/no/such/folder: cannot read the photos folder');
    const root = await mkdtemp(join(tmpdir(), 'faces-list-'));
    await writeFile(join(root, 'file.jpg'), '');
    await expect(listPhotos(join(root, 'file.jpg'))).rejects.toThrow('expected a folder of photos, got a file');
  });
});
