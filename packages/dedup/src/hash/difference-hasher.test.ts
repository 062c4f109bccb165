import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { applyTransform } from '@dcgan/data';
import { describe, expect, it } from 'vitest';

import { createDifferenceHasher } from './difference-hasher';

const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'difference-hash');

/** dHash bits computed by PIL as the Python `imagehash` package does (scripts/make-difference-hash-fixture.py). */
async function reference(): Promise<Record<string, Record<'8' | '16', number[]>>> {
  return JSON.parse(await readFile(join(fixtures, 'expected.json'), 'utf8')) as Record<
    string,
    Record<'8' | '16', number[]>
  >;
}

describe('createDifferenceHasher', () => {
  it.each([8, 16] as const)('agrees with the PIL / imagehash dHash (hash size %i) bit for bit', async (hashSize) => {
    const expected = await reference();
    const hasher = createDifferenceHasher({ hashSize });
    const distances: number[] = [];
    for (const [name, hashes] of Object.entries(expected)) {
      const image = await applyTransform({ encoded: new Uint8Array(await readFile(join(fixtures, name))) });
      const codes = await hasher.hashImages([image]);
      const bits = hashes[String(hashSize) as '8' | '16'];
      let distance = 0;
      bits.forEach((bit, index) => (distance += bit ^ ((codes[index >> 3]! >> (index & 7)) & 1)));
      distances.push(distance);
    }
    expect(distances).toHaveLength(21);
    expect(distances).toEqual(new Array(21).fill(0));
  });

  it('sets every bit for brightness rising to the right and none for falling', async () => {
    const rising = {
      width: 18,
      height: 16,
      channels: 1 as const,
      data: Uint8Array.from({ length: 18 * 16 }, (_, index) => (index % 18) * 14),
    };
    const falling = { ...rising, data: Uint8Array.from(rising.data, (value) => 255 - value) };
    const [up, down] = [
      await createDifferenceHasher().hashImages([rising]),
      await createDifferenceHasher().hashImages([falling]),
    ];
    expect(Array.from(up)).toEqual(new Array(8).fill(255));
    expect(Array.from(down)).toEqual(new Array(8).fill(0));
  });
});
