import { join } from 'node:path';

import { isWholeDataset, shardDirectory, shardFolderName, type Shard } from '@dcgan/data';

import { extractFeatures } from '../features/extract-features';
import type { FeatureEvent } from '../features/feature-events';
import type { FeatureExtractor } from '../features/feature-extractor';
import type { StoredFeatures } from '../features/feature-store';
import type { LinearProbeOptions, ProbeMethod } from './linear-probe-options';
import { discriminatorExtractor } from './population-statistics';

/**
 * Where a probe keeps its feature stores, under `featureDirectory`:
 * - `<method>/<split>/`: the store of a method's train or test features (pixels: `pixels/`);
 * - `<method>/<split>/shards/shard-0000i-of-0000N/`: shard i's part of it, in a sharded run;
 * - `<method>/batch-norm-statistics.json`: a discriminator's population statistics;
 * - `shards/shard-0000i-of-0000N/`: shard i's `shard.json` and its own statistics caches.
 */
export function featureStoreDirectory(
  featureDirectory: string,
  method: string,
  split: 'train' | 'test',
  shard?: Shard,
): string {
  const whole = join(featureDirectory, method, split);
  return shard === undefined || isWholeDataset(shard) ? whole : shardDirectory(whole, shard);
}

/** The batch-norm statistics cache of a method (of one shard's run, in a sharded run). */
export function statisticsCachePath(featureDirectory: string, method: string, shard?: Shard): string {
  return shard === undefined || isWholeDataset(shard)
    ? join(featureDirectory, method, 'batch-norm-statistics.json')
    : join(featureDirectory, 'shards', shardFolderName(shard), method, 'batch-norm-statistics.json');
}

/** A method's features of the train or test images (of `shard` only, when given), stored when `featureDirectory` is set. */
export async function extractSplitFeatures(
  options: LinearProbeOptions,
  extractor: FeatureExtractor,
  method: string,
  split: 'train' | 'test',
  shard?: Shard,
): Promise<StoredFeatures> {
  return extractFeatures(extractor, split === 'train' ? options.train : options.test, {
    batchSize: options.batchSize ?? 64,
    ...(options.featureDirectory === undefined
      ? {}
      : { directory: featureStoreDirectory(options.featureDirectory, method, split, shard) }),
    ...(options.storage === undefined ? {} : { storage: options.storage }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(shard === undefined ? {} : { shard }),
    onEvent: (event: FeatureEvent) => options.onEvent?.({ status: 'features', method, split, event }),
  });
}

/** The methods that have feature stores of their own (pixels are extracted for every probe, under `pixels`). */
export type FeatureMethod = Extract<ProbeMethod, { kind: 'discriminator' | 'extractor' }>;

export function isFeatureMethod(method: ProbeMethod): method is FeatureMethod {
  return method.kind === 'discriminator' || method.kind === 'extractor';
}

/** The extractor of a feature method; the caller disposes it when the method is a discriminator (the extractor owns a copy). */
export async function featureMethodExtractor(
  options: LinearProbeOptions,
  method: FeatureMethod,
  poolPositions: Int32Array,
  shard?: Shard,
): Promise<FeatureExtractor> {
  if (method.kind === 'extractor') return method.extractor;
  const cachePath =
    options.featureDirectory === undefined
      ? undefined
      : statisticsCachePath(options.featureDirectory, method.name, shard);
  return discriminatorExtractor(options, method, poolPositions, method.name, cachePath);
}
