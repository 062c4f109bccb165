import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DataError } from '../errors/data-error';
import { parseIdx } from '../formats/idx';
import { createScratch, failureOf, fuzzVariants, type Scratch } from '../testing/corrupt-files';
import { expected, fixture, sha256 } from '../testing/fixtures';
import { openIdx } from './idx-source';

describe('openIdx', () => {
  for (const suffix of ['', '.gz']) {
    it(`reads real MNIST digits from IDX files${suffix === '' ? '' : ' (gzipped)'}`, async () => {
      const source = await openIdx(fixture('idx', `t10k-images-idx3-ubyte${suffix}`), {
        labels: fixture('idx', `t10k-labels-idx1-ubyte${suffix}`),
      });
      expect(source.length).toBe(expected.idx.labels.length);
      for (let index = 0; index < expected.idx.labels.length; index += 1) {
        const item = await source.readItem(index);
        expect(item.label).toBe(expected.idx.labels[index]);
        const payload = item.payload as { width: number; height: number; channels: number; data: Uint8Array };
        expect([payload.width, payload.height, payload.channels]).toEqual([28, 28, 1]);
        expect(sha256(payload.data)).toBe(expected.idx.sha256[index]);
      }
    });
  }

  describe('bad files', () => {
    let scratch: Scratch;
    let images: Uint8Array;
    beforeAll(async () => {
      scratch = await createScratch('idx');
      images = await readFile(fixture('idx', 't10k-images-idx3-ubyte'));
    });
    afterAll(() => scratch.remove());

    it('names the file and the problem', async () => {
      const cut = await scratch.write('cut-idx3-ubyte', images.subarray(0, 1000));
      expect(((await failureOf(() => openIdx(cut))) as Error).message).toBe(
        `${cut}: IDX header promises 20x28x28 = 15680 bytes of data, the file holds 984 (truncated)`,
      );
      const floats = images.slice();
      floats[2] = 0x0d;
      const path = await scratch.write('float-idx3', floats);
      expect(((await failureOf(() => openIdx(path))) as Error).message).toMatch(
        /float-idx3: IDX data type 0x0d \(float\) is not supported/,
      );
      const badGzip = await scratch.write('bad.gz', gzipSync(images).subarray(0, 200));
      expect(((await failureOf(() => openIdx(badGzip))) as Error).message).toMatch(/bad\.gz: corrupt gzip stream/);
      const labels = await scratch.write(
        'labels',
        (await readFile(fixture('idx', 't10k-labels-idx1-ubyte'))).subarray(0, 20),
      );
      expect(
        ((await failureOf(() => openIdx(fixture('idx', 't10k-images-idx3-ubyte'), { labels }))) as Error).message,
      ).toMatch(/labels: IDX header promises 20/);
    });

    it('stops inflating a gzip bomb at the size its IDX header claims', async () => {
      // One 28x28 image claimed, 16 MiB of zeros behind it: 16 KiB gzipped.
      const header = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28]);
      const bomb = await scratch.write(
        'bomb-idx3-ubyte.gz',
        gzipSync(Buffer.concat([header, Buffer.alloc(16 * 1024 * 1024)]), { level: 9 }),
      );
      const error = await failureOf(() => openIdx(bomb));
      expect(DataError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        `${bomb}: the gzip stream inflates past the 800 bytes its IDX header claims (1x28x28 = 784 data bytes plus the 16-byte header): trailing data or a decompression bomb; stopped`,
      );
      // A header that claims more than a buffer can hold is refused before inflating the rest.
      const huge = await scratch.write(
        'huge-idx3-ubyte.gz',
        gzipSync(Uint8Array.from([0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0])),
      );
      expect(((await failureOf(() => openIdx(huge))) as Error).message).toBe(
        `${huge}: IDX header claims 65536x65536x65536 = 281474976710656 bytes of data, more than one buffer can hold`,
      );
    });

    it('fuzz: parseIdx and gzipped inputs fail only with DataErrors naming the file', async () => {
      for (const variant of fuzzVariants(images, 0, 120)) {
        const error = await failureOf(async () => parseIdx(variant.bytes, variant.name));
        if (error !== undefined) {
          expect(DataError.isInstance(error), String(error)).toBe(true);
          expect((error as Error).message).toContain(variant.name);
        }
        if (variant.name.startsWith('flipped')) {
          const path = await scratch.write(
            `${variant.name}.gz`,
            gzipSync(variant.bytes).subarray(0, 50 + (variant.bytes[100] ?? 0)),
          );
          const gzipError = await failureOf(() => openIdx(path));
          expect(DataError.isInstance(gzipError), String(gzipError)).toBe(true);
        }
      }
    });
  });
});
