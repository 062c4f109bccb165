import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DataError } from '../errors/data-error';
import { createMemorySource } from '../sources/memory-source';
import type { RawImage } from '../image/raw-image';
import {
  isInShard,
  parseShard,
  resolveShard,
  shardDirectory,
  shardFromEnvironment,
  shardItemCount,
  shardSource,
} from './shard-assignment';
import { collectShards, mergeByPosition, writeShardManifest } from './shard-manifest';

function dot(value: number): RawImage {
  return { width: 1, height: 1, channels: 1, data: new Uint8Array([value]) };
}

describe('shard assignment', () => {
  it('parses i/N and refuses anything else with the flag in the message', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    expect(() => parseShard('8/8')).toThrow('Expected the shard index to be an integer in 0..7, got `8` (--shard 8/8)');
    expect(() => parseShard('1-4')).toThrow('Expected `--shard` as i/N');
    expect(() => parseShard('0/0')).toThrow('Expected the shard count to be a positive integer');
  });

  it('takes the shard from a Kubernetes Indexed Job or an AWS Batch array job when --shard is absent', () => {
    expect(shardFromEnvironment({})).toBeUndefined();
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '2', JOB_COMPLETIONS: '4' })).toEqual({ index: 2, count: 4 });
    expect(shardFromEnvironment({ AWS_BATCH_JOB_ARRAY_INDEX: '7', AWS_BATCH_JOB_ARRAY_SIZE: '10' })).toEqual({
      index: 7,
      count: 10,
    });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '2' })).toThrow(
      'JOB_COMPLETION_INDEX=2 is set but JOB_COMPLETIONS is not',
    );
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '4', JOB_COMPLETIONS: '4' })).toThrow(DataError);
    expect(resolveShard('1/3', { JOB_COMPLETION_INDEX: '2', JOB_COMPLETIONS: '4' })).toEqual({ index: 1, count: 3 });
    expect(resolveShard(undefined, {})).toEqual({ index: 0, count: 1 });
  });

  it('gives every position to exactly one shard, and the same one on every call', () => {
    for (const total of [0, 1, 5, 17]) {
      let sum = 0;
      for (let index = 0; index < 4; index += 1) sum += shardItemCount(total, { index, count: 4 });
      expect(sum).toBe(total);
    }
    for (let position = 0; position < 40; position += 1) {
      const owners = [0, 1, 2, 3].filter((index) => isInShard(position, { index, count: 4 }));
      expect(owners).toEqual([position % 4]);
    }
  });

  it('shards random-access and stream-only sources alike', async () => {
    const images = Array.from({ length: 10 }, (_, value) => ({
      key: `item-${value}`,
      label: undefined,
      image: dot(value),
    }));
    const source = createMemorySource(images);
    const shard = shardSource(source, { index: 1, count: 4 });
    expect(shard.length).toBe(3);
    expect(shard.randomAccess).toBe(true);
    const values: number[] = [];
    for await (const sample of shard) values.push(sample.image.data[0] as number);
    expect(values).toEqual([1, 5, 9]);
    const streamed = shardSource({ ...source, randomAccess: false, length: undefined }, { index: 3, count: 4 });
    const keys: string[] = [];
    for await (const item of streamed.items()) keys.push(item.key);
    const all: string[] = [];
    for await (const item of source.items()) all.push(item.key);
    expect(keys).toEqual([all[3], all[7]]);
    expect(keys).toEqual(['item-3', 'item-7']);
    expect(shardSource(source, { index: 0, count: 1 })).toBe(source);
  });
});

describe('collectShards and mergeByPosition', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'dcgan-shards-'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  async function makeShard(
    output: string,
    index: number,
    count: number,
    complete = true,
    settings: unknown = { size: 64 },
  ): Promise<void> {
    const directory = shardDirectory(output, { index, count });
    await mkdir(directory, { recursive: true });
    await writeShardManifest(directory, { stage: 'test', shard: { index, count }, items: 3, complete, settings });
  }

  it('returns all shards in order when every one is there and complete', async () => {
    const output = join(base, 'whole');
    for (const index of [2, 0, 3, 1]) await makeShard(output, index, 4);
    const shards = await collectShards(output, 'test');
    expect(shards.map((item) => item.shard.index)).toEqual([0, 1, 2, 3]);
    await expect(collectShards(output, 'faces')).rejects.toThrow('a `test` shard, not `faces`');
  });

  it('names missing and unfinished shards', async () => {
    const output = join(base, 'gaps');
    await makeShard(output, 0, 4);
    await makeShard(output, 2, 4, false);
    await expect(collectShards(output, 'test')).rejects.toThrow(
      'cannot merge: missing shards 1/4 (shard-00001-of-00004), 3/4 (shard-00003-of-00004); shard 2/4 is not complete (it stopped before its end; rerun it alone: it resumes from its own output)',
    );
  });

  it('refuses a duplicated shard, shards of two runs, and shards with other settings', async () => {
    const duplicated = join(base, 'duplicated');
    await makeShard(duplicated, 0, 2);
    await makeShard(duplicated, 1, 2);
    const copy = join(duplicated, 'shards', 'shard-00001-of-00002 copy');
    await mkdir(copy, { recursive: true });
    await writeShardManifest(copy, {
      stage: 'test',
      shard: { index: 1, count: 2 },
      items: 3,
      complete: true,
      settings: { size: 64 },
    });
    await expect(collectShards(duplicated, 'test')).rejects.toThrow(
      /shard 1\/2 is duplicated in .*shard-00001-of-00002 and .*shard-00001-of-00002 copy/,
    );

    const mixed = join(base, 'mixed');
    await makeShard(mixed, 0, 2);
    await makeShard(mixed, 1, 2);
    await makeShard(mixed, 0, 3);
    await expect(collectShards(mixed, 'test')).rejects.toThrow('shards of different runs are mixed (2 of 2, 1 of 3)');

    const settings = join(base, 'settings');
    await makeShard(settings, 0, 2);
    await makeShard(settings, 1, 2, true, { size: 32 });
    await expect(collectShards(settings, 'test')).rejects.toThrow(
      'shard 1/2 was made with other settings than shard 0/2',
    );
    await expect(collectShards(join(base, 'nothing'), 'test')).rejects.toThrow('no shard outputs to merge');
  });

  it('merges lists into position order and refuses a position held twice', () => {
    const merged = mergeByPosition(
      [
        [{ at: 0 }, { at: 2 }, { at: 4 }],
        [{ at: 1 }, { at: 3 }],
      ],
      (item) => item.at,
    );
    expect(merged.map((item) => item.at)).toEqual([0, 1, 2, 3, 4]);
    expect(() =>
      mergeByPosition(
        [[{ at: 0 }], [{ at: 0 }]],
        (item) => item.at,
        (item) => `item ${item.at}`,
      ),
    ).toThrow('Cannot merge: item 0 is in more than one shard');
  });
});
