import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DataError } from '../errors/data-error';
import { createScratch, failureOf, fuzzVariants, type Scratch } from '../testing/corrupt-files';
import { expected, fixture, sha256 } from '../testing/fixtures';
import { openCifar } from './cifar-source';

describe('openCifar', () => {
  it('reads the train batches of a directory: labels, class names and HWC pixels match numpy', async () => {
    const source = await openCifar(fixture('cifar-10-batches-bin'));
    const want = expected.cifar.files['data_batch_1.bin']!;
    expect(source.length).toBe(want.length);
    expect(source.classNames).toEqual(expected.cifar.classNames);
    for (let index = 0; index < want.length; index += 1) {
      const item = await source.readItem(index);
      expect(item.label).toBe(want[index]!.label);
      expect(sha256((item.payload as { data: Uint8Array }).data)).toBe(want[index]!.sha256);
      expect(item.key).toMatch(new RegExp(`data_batch_1\\.bin#${index}$`));
    }
    expect(Array.from(await source.readLabels())).toEqual(want.map((entry) => entry.label));
    await source.close();
  });

  it('reads the test split and explicit file lists', async () => {
    const test = await openCifar(fixture('cifar-10-batches-bin'), { split: 'test' });
    expect(test.length).toBe(expected.cifar.files['test_batch.bin']!.length);
    const both = await openCifar([
      fixture('cifar-10-batches-bin', 'data_batch_1.bin'),
      fixture('cifar-10-batches-bin', 'test_batch.bin'),
    ]);
    expect(both.length).toBe(12);
    const last = await both.readItem(11);
    expect(sha256((last.payload as { data: Uint8Array }).data)).toBe(
      expected.cifar.files['test_batch.bin']![3]!.sha256,
    );
    await Promise.all([test.close(), both.close()]);
  });

  describe('bad files', () => {
    let scratch: Scratch;
    let original: Uint8Array;
    beforeAll(async () => {
      scratch = await createScratch('cifar');
      original = await readFile(fixture('cifar-10-batches-bin', 'data_batch_1.bin'));
    });
    afterAll(() => scratch.remove());

    it('rejects a truncated batch with one error naming the file and the record size', async () => {
      const path = await scratch.write('data_batch_1.bin', original.subarray(0, original.length - 100));
      const error = await failureOf(() => openCifar(path));
      expect(DataError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        `${path}: size 24484 bytes is not a whole number of 3073-byte cifar-10 records (1 label byte + 3,072 pixel bytes); the file is truncated or not a cifar-10 binary batch`,
      );
    });

    it('rejects out-of-range labels and a folder without batches', async () => {
      const bytes = original.slice();
      bytes[3073 * 2] = 12;
      const path = await scratch.write('bad-label.bin', bytes);
      expect(((await failureOf(() => openCifar(path))) as Error).message).toMatch(
        /bad-label\.bin: record 2 has label 12, expected 0-9/,
      );
      expect(((await failureOf(() => openCifar(scratch.directory, { split: 'test' }))) as Error).message).toMatch(
        /no cifar-10 test batches found/,
      );
    });

    it('fuzz: random and truncated files open cleanly or fail with a DataError naming the file', async () => {
      let failures = 0;
      for (const variant of fuzzVariants(original, 0)) {
        const path = await scratch.write(`${variant.name}.bin`, variant.bytes);
        const error = await failureOf(async () => {
          const source = await openCifar(path);
          try {
            for (let index = 0; index < source.length!; index += 1) await source.readItem(index);
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
      // Every truncation and every random file is malformed (flips inside pixels are not detectable).
      expect(failures).toBeGreaterThanOrEqual(58);
    });
  });
});
