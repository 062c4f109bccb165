import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DataError } from '../errors/data-error';
import { expected, fixture, fuzzBytes, sha256 } from '../testing/fixtures';
import { LmdbReader } from './lmdb-reader';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('LmdbReader on databases written by py-lmdb', () => {
  it('reads every key of a multi-level tree in key order and by position', async () => {
    const reader = await LmdbReader.open(fixture('lmdb', 'many.mdb'));
    expect(expected.lmdb.many.depth).toBeGreaterThan(1); // the fixture really has branch pages
    expect(reader.count).toBe(expected.lmdb.many.count);
    const keys: string[] = [];
    const values: number[] = [];
    for await (const entry of reader.entries()) {
      keys.push(text(entry.key));
      values.push(Buffer.from(entry.value).readUInt32LE(0));
    }
    expect(keys).toEqual(expected.lmdb.many.sortedKeys);
    for (const index of [0, 1, 777, 1499]) {
      const entry = await reader.entryAt(index);
      expect(text(entry.key)).toBe(expected.lmdb.many.sortedKeys[index]);
      // The script stored struct.pack('<I', n) * 3 under the n-th key it wrote.
      expect(entry.value.length).toBe(12);
      expect(Buffer.from(entry.value).readUInt32LE(8)).toBe(values[index]);
    }
    await reader.close();
  });

  it('reads LSUN-style image values, inline and on overflow pages, from an environment directory', async () => {
    const reader = await LmdbReader.open(fixture('lmdb', 'bedroom_train_lmdb'));
    const entries = [];
    for await (const entry of reader.entries())
      entries.push({ key: text(entry.key), sha: sha256(entry.value), bytes: entry.value.length });
    expect(entries).toHaveLength(expected.lmdb.bedroom.length + 1);
    for (const want of expected.lmdb.bedroom) {
      expect(entries).toContainEqual({ key: want.key, sha: want.valueSha256, bytes: want.bytes });
    }
    expect(expected.lmdb.bedroom.some((entry) => entry.bytes > reader.pageSize)).toBe(true);
    await reader.close();
  });

  it('opens a named database', async () => {
    const reader = await LmdbReader.open(fixture('lmdb', 'named.mdb'), { database: 'images' });
    expect(reader.count).toBe(1);
    const entry = await reader.entryAt(0);
    expect([text(entry.key), text(entry.value)]).toEqual(['only', 'value-of-only']);
    await reader.close();
    await expect(LmdbReader.open(fixture('lmdb', 'named.mdb'), { database: 'missing' })).rejects.toThrow(
      /has no named database `missing`/,
    );
  });
});

describe('LmdbReader on bad input', () => {
  let directory: string;
  let original: Uint8Array;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dcgan-lmdb-'));
    original = await readFile(fixture('lmdb', 'many.mdb'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function openBytes(bytes: Uint8Array, name: string): Promise<unknown> {
    const path = join(directory, name);
    await writeFile(path, bytes);
    try {
      const reader = await LmdbReader.open(path);
      try {
        for await (const entry of reader.entries()) void entry;
      } finally {
        await reader.close();
      }
      return undefined;
    } catch (error) {
      return error;
    }
  }

  it('names the file and the problem', async () => {
    const notLmdb = await openBytes(new TextEncoder().encode('hello'.repeat(100)), 'text.mdb');
    expect(DataError.isInstance(notLmdb)).toBe(true);
    expect((notLmdb as Error).message).toMatch(/text\.mdb: not an LMDB data file/);
    const truncated = await openBytes(original.subarray(0, original.length - 8192), 'truncated.mdb');
    expect((truncated as Error).message).toMatch(/truncated\.mdb: .*truncated/);
    const version = original.slice();
    version[20] = 2;
    version[4096 + 20] = 2;
    expect(((await openBytes(version, 'v2.mdb')) as Error).message).toMatch(/data format version 2 is not supported/);
  });

  it('never crashes or hangs on random or truncated input: every failure is a DataError', async () => {
    let failures = 0;
    for (let trial = 0; trial < 120; trial += 1) {
      let bytes: Uint8Array;
      if (trial < 40) {
        bytes = original.subarray(0, Math.floor((original.length * trial) / 40));
      } else if (trial < 100) {
        // Flip random bytes of a valid file (keeping the magic so the parser goes deep).
        bytes = original.slice();
        const noise = fuzzBytes(trial, 64);
        for (let flip = 0; flip < 16; flip += 1) {
          const position =
            8192 +
            (((noise[flip * 4]! << 16) | (noise[flip * 4 + 1]! << 8) | noise[flip * 4 + 2]!) % (bytes.length - 8192));
          bytes[position] = noise[flip * 4 + 3]!;
        }
      } else {
        bytes = fuzzBytes(trial, 1 + trial * 97);
      }
      const error = await openBytes(bytes, `fuzz-${trial}.mdb`);
      if (error !== undefined) {
        failures += 1;
        expect(DataError.isInstance(error), String(error)).toBe(true);
        expect((error as Error).message).toContain(`fuzz-${trial}.mdb`);
      }
    }
    expect(failures).toBeGreaterThan(60);
  });
});
