import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixture } from '../testing/fixtures';
import { defaultImageExtensions, listFilesRecursive } from './list-files';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dcgan-data-list-files-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A folder of the four dog images (d.png, e.png, empty.jpg, f.gif; truncated.jpg left out) plus `sub/`. */
async function dogs(name: string): Promise<string> {
  const folder = join(root, name);
  await mkdir(join(folder, 'sub'), { recursive: true });
  for (const file of ['d.png', 'e.png', 'empty.jpg', 'f.gif'])
    await cp(fixture('images', 'dog', file), join(folder, file));
  return folder;
}

describe('listFilesRecursive', () => {
  it('lists each folder once: a link back to the parent does not multiply the images (4 were counted as 164)', async () => {
    const folder = await dogs('one-loop');
    await symlink('..', join(folder, 'sub', 'up'));
    const listing = await listFilesRecursive(folder, defaultImageExtensions);
    expect(listing.files).toEqual(['d.png', 'e.png', 'empty.jpg', 'f.gif']);
    expect(listing.duplicateFolders).toBe(1);
    expect(listing.duplicateFiles).toBe(0);
  });

  it('two links to the parent finish at once (they used to walk 2^40 paths)', async () => {
    const folder = await dogs('two-loops');
    await symlink('..', join(folder, 'sub', 'up1'));
    await symlink(folder, join(folder, 'sub', 'up2'));
    const listing = await listFilesRecursive(folder, defaultImageExtensions);
    expect(listing.files).toEqual(['d.png', 'e.png', 'empty.jpg', 'f.gif']);
    expect(listing.duplicateFolders).toBe(2);
  }, 10_000);

  it('keeps the real path of a file or folder reached through links too, and counts the links it skipped', async () => {
    const folder = await dogs('links');
    await mkdir(join(folder, 'real'));
    await cp(fixture('images', 'cat', 'a.png'), join(folder, 'real', 'a.png'));
    // Sorted before `real` and `d.png`: the walk must still keep the real paths.
    await symlink('real', join(folder, 'a-link-to-real'));
    await symlink('d.png', join(folder, 'a-link-to-d.png'));
    await symlink(join(folder, 'real', 'a.png'), join(folder, 'sub', 'a-copy.png'));
    // A folder outside the tree, reached once through a link: its files are listed under the link.
    const outside = join(root, 'outside');
    await mkdir(outside);
    await cp(fixture('images', 'cat', 'b.jpg'), join(outside, 'b.jpg'));
    await symlink(outside, join(folder, 'sub', 'outside'));
    await writeFile(join(folder, 'notes.txt'), 'not an image');
    const listing = await listFilesRecursive(folder, defaultImageExtensions);
    expect(listing.files).toEqual(['d.png', 'e.png', 'empty.jpg', 'f.gif', 'real/a.png', 'sub/outside/b.jpg']);
    expect(listing).toMatchObject({ ignored: 1, duplicateFolders: 1, duplicateFiles: 2 });
  });
});
