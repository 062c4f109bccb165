import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DataError } from '../errors/data-error';
import { MatFile } from '../formats/mat-v5';
import { createScratch, failureOf, fuzzVariants, type Scratch } from '../testing/corrupt-files';
import { expected, fixture, sha256 } from '../testing/fixtures';
import { openSvhn } from './svhn-source';

describe('MatFile on scipy.io.savemat output', () => {
  it('lists variables with classes and dimensions, compressed or not', async () => {
    for (const name of ['train_32x32.mat', 'test_32x32.mat']) {
      const mat = await MatFile.open(fixture('svhn', name));
      const count = expected.svhn[name]!.labels.length;
      const compressed = expected.svhn[name]!.compressed;
      expect(
        mat.variables.map((variable) => [variable.name, variable.className, variable.dimensions, variable.compressed]),
      ).toEqual([
        ['X', 'uint8', [32, 32, 3, count], compressed],
        ['y', name === 'train_32x32.mat' ? 'uint8' : 'double', [count, 1], compressed],
      ]);
      await mat.close();
    }
  });
});

describe('openSvhn', () => {
  for (const name of ['train_32x32.mat', 'test_32x32.mat']) {
    it(`reads ${name}: label 10 becomes 0 and pixels match numpy's X[:, :, :, n]`, async () => {
      const want = expected.svhn[name]!;
      const source = await openSvhn(fixture('svhn', name));
      expect(source.length).toBe(want.labels.length);
      expect(want.labels).toContain(0); // the fixture holds a 10
      expect(source.randomAccess).toBe(true);
      for (let index = 0; index < want.labels.length; index += 1) {
        const item = await source.readItem(index);
        expect(item.label).toBe(want.labels[index]);
        expect(sha256((item.payload as { data: Uint8Array }).data)).toBe(want.sha256[index]);
      }
      await source.close();
    });
  }

  it('streams a compressed file above the in-memory limit in order, without random access', async () => {
    const want = expected.svhn['test_32x32.mat']!;
    const source = await openSvhn(fixture('svhn', 'test_32x32.mat'), { maximumInMemoryBytes: 1000 });
    expect(source.randomAccess).toBe(false);
    const hashes: string[] = [];
    for await (const item of source.items()) hashes.push(sha256((item.payload as { data: Uint8Array }).data));
    expect(hashes).toEqual(want.sha256);
    await expect(source.readItem(0)).rejects.toThrow(/stream-only/);
    await source.close();
  });

  describe('bad files', () => {
    let scratch: Scratch;
    beforeAll(async () => {
      scratch = await createScratch('svhn');
    });
    afterAll(() => scratch.remove());

    it('rejects MATLAB v7.3 (HDF5) and non-MAT files with a clear error', async () => {
      const header = new Uint8Array(1024);
      header.set(
        new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan 1 HDF5 schema 1.00 .'),
      );
      header.set([0x00, 0x02, 0x49, 0x4d], 124);
      header.set([0x89, 0x48, 0x44, 0x46], 512);
      const hdf5 = await scratch.write('v73.mat', header);
      expect(((await failureOf(() => openSvhn(hdf5))) as Error).message).toMatch(
        /v73\.mat: is a MATLAB v7\.3 \(HDF5\) MAT-file/,
      );
      const text = await scratch.write('text.mat', new TextEncoder().encode('x'.repeat(400)));
      expect(((await failureOf(() => openSvhn(text))) as Error).message).toMatch(
        /text\.mat: not a MATLAB level-5 MAT-file/,
      );
    });

    it('rejects a truncated file naming the file and the offset', async () => {
      const original = await readFile(fixture('svhn', 'train_32x32.mat'));
      const path = await scratch.write('cut.mat', original.subarray(0, 5000));
      const error = await failureOf(() => openSvhn(path));
      expect(DataError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /cut\.mat: the data element at offset 128 claims \d+ bytes but only 4864 remain: the file is truncated/,
      );
    });

    for (const name of ['train_32x32.mat', 'test_32x32.mat']) {
      it(`fuzz: random, flipped and truncated variants of ${name} never escape as anything but a DataError`, async () => {
        const original = await readFile(fixture('svhn', name));
        let failures = 0;
        for (const variant of fuzzVariants(original, 128)) {
          const path = await scratch.write(`${variant.name}-${name}`, variant.bytes);
          const error = await failureOf(async () => {
            const source = await openSvhn(path);
            try {
              for await (const item of source.items()) void item;
            } finally {
              await source.close();
            }
          });
          if (error !== undefined) {
            failures += 1;
            expect(DataError.isInstance(error), String(error)).toBe(true);
            expect((error as Error).message).toContain(path);
          }
        }
        expect(failures).toBeGreaterThanOrEqual(58);
      });
    }
  });
});
