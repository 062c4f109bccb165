import { describe, expect, it } from 'vitest';

import { createMemorySource } from '../sources/memory-source';
import { openMnistPackage } from '../sources/mnist-package-source';
import { sampleStratified, splitSource } from './split-source';

const keysOf = async (source: {
  length: number | undefined;
  readItem(index: number): Promise<{ key: string }>;
}): Promise<string[]> => {
  const keys: string[] = [];
  for (let index = 0; index < source.length!; index += 1) keys.push((await source.readItem(index)).key);
  return keys;
};

describe('splitSource', () => {
  const source = createMemorySource(
    Array.from({ length: 100 }, (_, index) => ({
      key: `k${index}`,
      label: index % 10,
      image: { width: 1, height: 1, channels: 1 as const, data: Uint8Array.of(index) },
    })),
  );

  it('splits by count into disjoint parts covering the source, reproducibly per seed', async () => {
    const { train, validation } = splitSource(source, { validation: 15, seed: 4 });
    expect([train.length, validation.length]).toEqual([85, 15]);
    const trainKeys = await keysOf(train);
    const validationKeys = await keysOf(validation);
    expect(new Set([...trainKeys, ...validationKeys]).size).toBe(100);
    expect(await keysOf(splitSource(source, { validation: 15, seed: 4 }).validation)).toEqual(validationKeys);
    expect(await keysOf(splitSource(source, { validation: 15, seed: 5 }).validation)).not.toEqual(validationKeys);
    expect(Array.from(await validation.readLabels())).toEqual(validationKeys.map((key) => Number(key.slice(1)) % 10));
  });

  it('splits by fraction and validates', () => {
    expect(splitSource(source, { validation: 0.1 }).validation.length).toBe(10);
    expect(() => splitSource(source, { validation: 100 })).toThrow(
      /Expected `validation` to be a fraction in \(0, 1\) or an integer count in 1\.\.99/,
    );
    expect(() => splitSource(source, { validation: 2.5 })).toThrow(/got `2.5`/);
  });
});

describe('sampleStratified', () => {
  it('takes exactly 100 real MNIST digits of each class (the SVHN protocol), seeded', async () => {
    const mnist = await openMnistPackage();
    const { sampled, remaining } = await sampleStratified(mnist, { perClass: 100, seed: 1 });
    expect(sampled.length).toBe(1000);
    expect(remaining.length).toBe(9000);
    const labels = await sampled.readLabels();
    for (let digit = 0; digit < 10; digit += 1) expect(labels.filter((label) => label === digit).length).toBe(100);
    const again = await sampleStratified(mnist, { perClass: 100, seed: 1 });
    expect(await keysOf(again.sampled)).toEqual(await keysOf(sampled));
    const sampledKeys = new Set(await keysOf(sampled));
    expect((await keysOf(remaining)).some((key) => sampledKeys.has(key))).toBe(false);
    await expect(sampleStratified(mnist, { perClass: 900 })).rejects.toThrow(
      /class 5 has 863 items, fewer than `perClass` = 900/,
    );
  });
});
