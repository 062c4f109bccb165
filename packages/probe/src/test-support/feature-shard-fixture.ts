import { createDiscriminator } from '@dcgan/core';
import { pad } from '@dcgan/data';

import { createDiscriminatorExtractor } from '../features/discriminator-extractor';
import type { FeatureExtractor } from '../features/feature-extractor';
import type { ProbeImages } from '../features/probe-images';
import { mnistSourceWithBrokenItem } from './mnist-images';

/**
 * What the feature shard tests extract: 30 real MNIST digits with a broken one, selected in reverse order (so
 * selection positions are not source positions), through a small seeded D (the same weights in every process).
 */
export async function featureShardSetup(): Promise<{
  readonly extractor: FeatureExtractor;
  readonly images: ProbeImages;
}> {
  const source = await mnistSourceWithBrokenItem(30, 7);
  const images: ProbeImages = {
    source,
    indices: Array.from({ length: 30 }, (_, index) => 29 - index),
    transform: [pad(32)],
  };
  const discriminator = createDiscriminator({ imageSize: 32, channels: 1, baseWidth: 8 }, { seed: 5 });
  const extractor = await createDiscriminatorExtractor(discriminator, { batchNorm: 'stored' });
  return { extractor, images };
}

/** Settings shared by the single-process run and the shard workers. */
export const featureShardSettings = { chunkItems: 4, batchSize: 3 } as const;
