import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';

import { DataError } from '../errors/data-error';
import type { RawImage } from '../image/raw-image';
import { defineSource } from '../source/define-source';
import type { DataEvent } from '../source/events';
import type { Sample } from '../source/sample';
import { createMemorySource } from '../sources/memory-source';
import { horizontalFlip, pad, toRgb } from '../transform/transform-step';
import { batchToTensor } from './batch-to-tensor';
import { createBatches } from './create-batches';

const pixel = (value: number, width = 1): RawImage => ({
  width,
  height: 1,
  channels: 1,
  data: new Uint8Array(width).fill(value),
});
const samples = (count: number): Sample[] =>
  Array.from({ length: count }, (_, index) => ({ key: `item-${index}`, label: index % 3, image: pixel(index) }));

async function arrayFromAsync<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

async function collect(stream: AsyncIterable<{ keys: readonly string[] }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of stream) keys.push(...batch.keys);
  return keys;
}

describe('createBatches', () => {
  it('scales bytes to [-1, 1] (x / 127.5 - 1) in NHWC with labels and shape', async () => {
    const source = createMemorySource([
      { key: 'a', label: 4, image: { width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 255]) } },
      { key: 'b', label: undefined, image: { width: 2, height: 1, channels: 1, data: Uint8Array.from([51, 204]) } },
    ]);
    const [batch] = await arrayFromAsync(createBatches(source, { batchSize: 2, shuffle: false }));
    expect(batch!.shape).toEqual([2, 1, 2, 1]);
    expect(Array.from(batch!.images)).toEqual([-1, 1, 51 / 127.5 - 1, 204 / 127.5 - 1].map(Math.fround));
    expect(Array.from(batch!.pixels)).toEqual([0, 255, 51, 204]);
    expect(Array.from(batch!.labels)).toEqual([4, -1]);
  });

  it('visits every item exactly once per epoch, in a seeded order that changes with the epoch', async () => {
    const source = createMemorySource(samples(50));
    const epoch0 = await collect(createBatches(source, { batchSize: 5, seed: 9, epoch: 0 }));
    const again = await collect(createBatches(source, { batchSize: 5, seed: 9, epoch: 0, prefetch: 1 }));
    const epoch1 = await collect(createBatches(source, { batchSize: 5, seed: 9, epoch: 1 }));
    const otherSeed = await collect(createBatches(source, { batchSize: 5, seed: 10, epoch: 0 }));
    expect(new Set(epoch0).size).toBe(50);
    expect(again).toEqual(epoch0);
    expect(epoch1).not.toEqual(epoch0);
    expect(otherSeed).not.toEqual(epoch0);
    expect([...epoch1].sort()).toEqual([...epoch0].sort());
    expect(await collect(createBatches(source, { batchSize: 5, shuffle: false }))).toEqual(
      samples(50).map((sample) => sample.key),
    );
  });

  it('resumes an epoch exactly from a batch endPosition, corrupt items included, without decoding the skipped part', async () => {
    const all = samples(23);
    all[4] = { key: 'odd', label: 0, image: pixel(1, 2) }; // skipped for its shape
    const source = createMemorySource(all);
    const full = await arrayFromAsync(createBatches(source, { batchSize: 3, seed: 5, epoch: 2 }));
    const resumeAfter = full[2]!;
    let reads = 0;
    const counting = defineSource({
      description: 'counting',
      length: all.length,
      readItem: async (index) => {
        reads += 1;
        return source.readItem(index);
      },
    });
    const rest = await arrayFromAsync(
      createBatches(counting, { batchSize: 3, seed: 5, epoch: 2, startPosition: resumeAfter.endPosition }),
    );
    expect(rest.flatMap((batch) => batch.keys)).toEqual(full.slice(3).flatMap((batch) => batch.keys));
    expect(reads).toBe(all.length - resumeAfter.endPosition);
  });

  it('drops or keeps the remainder', async () => {
    const source = createMemorySource(samples(7));
    const dropped = createBatches(source, { batchSize: 3 });
    expect(dropped.expectedBatches).toBe(2);
    expect(await collect(dropped)).toHaveLength(6);
    expect(dropped.report?.imagesDropped).toBe(1);
    const kept = await arrayFromAsync(createBatches(source, { batchSize: 3, dropRemainder: false }));
    expect(kept.map((batch) => batch.shape[0])).toEqual([3, 3, 1]);
  });

  it('skips images whose shape differs from the epoch and says how to fix it; strict throws', async () => {
    const odd: Sample[] = [...samples(4), { key: 'wide', label: 0, image: pixel(1, 3) }];
    const events: DataEvent[] = [];
    const stream = createBatches(createMemorySource(odd), {
      batchSize: 2,
      shuffle: false,
      onEvent: (event) => events.push(event),
    });
    expect(await collect(stream)).toEqual(['item-0', 'item-1', 'item-2', 'item-3']);
    expect(stream.report?.skipped).toEqual([
      {
        key: 'wide',
        reason: expect.stringMatching(/came out 1x3x1 where this epoch's images are 1x1x1; add a transform/),
      },
    ]);
    expect(events.map((event) => event.status)).toEqual(['skipped', 'epoch-end']);
    await expect(
      collect(createBatches(createMemorySource(odd), { batchSize: 2, shuffle: false, strict: true })),
    ).rejects.toThrow(/wide: came out 1x3x1 .* \(strict mode\)/);
  });

  it('reports an item the source cannot read and carries on', async () => {
    const source = defineSource({
      description: 'flaky',
      length: 4,
      readItem: async (index) => {
        if (index === 2) throw new DataError('disk said no');
        return { key: `k${index}`, label: undefined, payload: pixel(index) };
      },
    });
    const stream = createBatches(source, { batchSize: 1, shuffle: false });
    expect(await collect(stream)).toEqual(['k0', 'k1', 'k3']);
    expect(stream.report?.skipped).toEqual([{ key: 'item 2', reason: 'disk said no' }]);
  });

  it('shuffles stream-only sources with a buffer, still every item once', async () => {
    const all = samples(30);
    const source = defineSource({
      description: 'stream',
      length: undefined,
      items: async function* () {
        for (const sample of all) yield { key: sample.key, label: sample.label, payload: sample.image };
      },
    });
    expect(source.randomAccess).toBe(false);
    const keys = await collect(createBatches(source, { batchSize: 3, seed: 2, shuffleBufferSize: 8 }));
    expect([...keys].sort()).toEqual(all.map((sample) => sample.key).sort());
    expect(keys).not.toEqual(all.map((sample) => sample.key));
  });

  it('flips reproducibly per seed and epoch', async () => {
    const image: RawImage = { width: 2, height: 1, channels: 1, data: Uint8Array.from([10, 20]) };
    const source = createMemorySource(
      Array.from({ length: 40 }, (_, index) => ({ key: `f${index}`, label: 0, image })),
    );
    const firstPixels = async (epoch: number): Promise<number[]> => {
      const values: number[] = [];
      for await (const batch of createBatches(source, {
        batchSize: 40,
        shuffle: false,
        epoch,
        transform: [horizontalFlip(0.5)],
      })) {
        for (let index = 0; index < 40; index += 1) values.push(batch.pixels[index * 2]!);
      }
      return values;
    };
    const flips = await firstPixels(0);
    expect(flips.filter((value) => value === 20).length).toBeGreaterThan(8);
    expect(flips.filter((value) => value === 10).length).toBeGreaterThan(8);
    expect(await firstPixels(0)).toEqual(flips);
    expect(await firstPixels(1)).not.toEqual(flips);
  });

  it('validates options', () => {
    const source = createMemorySource(samples(2));
    expect(() => createBatches(source, { batchSize: 0 })).toThrow(
      'Expected `batchSize` to be a positive integer, got `0`',
    );
    expect(() => createBatches(source, { batchSize: 2, epoch: -1 })).toThrow(
      'Expected `epoch` to be a non-negative integer, got `-1`',
    );
  });
});

describe('batchToTensor', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('makes a [n, h, w, c] float tensor of the batch and leaks nothing', async () => {
    const source = createMemorySource(
      samples(8).map((sample) => ({
        ...sample,
        image: { width: 28, height: 28, channels: 1 as const, data: new Uint8Array(784).fill(200) },
      })),
    );
    const before = tf.memory().numTensors;
    for await (const batch of createBatches(source, { batchSize: 4, transform: [pad(32), toRgb()] })) {
      const tensor = batchToTensor(tf, batch);
      expect(tensor.shape).toEqual([4, 32, 32, 3]);
      expect(tensor.dtype).toBe('float32');
      const values = await tensor.data();
      expect(values[0]).toBeCloseTo(-1); // padding
      expect(values[(2 * 32 + 2) * 3]).toBeCloseTo(200 / 127.5 - 1);
      tensor.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
