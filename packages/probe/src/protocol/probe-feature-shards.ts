import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from '@dcgan/common/node';
import {
  collectShards,
  formatShard,
  isWholeDataset,
  readShardManifest,
  shardDirectory,
  shardItemCount,
  writeShardManifest,
  type Shard,
} from '@dcgan/data';

import { ProbeError } from '../errors/probe-error';
import { modelFingerprint } from '../features/discriminator-extractor';
import { createPixelExtractor } from '../features/feature-extractor';
import { mergeFeatureShards } from '../features/feature-shards';
import { checkProbeImages, probeImageCount, selectionIdentity } from '../features/probe-images';
import { inputShapeOf, resolveProtocol, type LinearProbeOptions } from './linear-probe-options';
import {
  extractSplitFeatures,
  featureMethodExtractor,
  featureStoreDirectory,
  isFeatureMethod,
  statisticsCachePath,
} from './probe-feature-stores';
import { holdOutValidation, readTrainLabels } from './probe-split';

/** The stage name in the `shard.json` of one shard of a probe's feature extraction. */
export const probeFeatureShardStage = 'linear-probe-features';

/** What one shard of {@link extractProbeFeatureShard} did. */
export interface ProbeFeatureShardResult {
  readonly shard: Shard;
  /** `<featureDirectory>/shards/shard-0000i-of-0000N`: the shard's `shard.json` and statistics caches. */
  readonly directory: string;
  /** Training and test items of the shard (decodable or not). */
  readonly trainItems: number;
  readonly testItems: number;
  /** The stores the shard wrote its part of (`<featureDirectory>/<method>/<split>`). */
  readonly stores: readonly string[];
}

/** What {@link mergeProbeFeatureShards} joined. */
export interface ProbeFeatureMergeResult {
  readonly shards: number;
  /** The merged stores, each byte for byte the store one unsharded run writes. */
  readonly stores: readonly string[];
}

/** Everything the shards of one run must agree on (and the merge with them): images, split, methods, storage. */
async function probeShardSettings(options: LinearProbeOptions): Promise<Record<string, unknown>> {
  const settings = resolveProtocol(options);
  const methods: Array<Record<string, unknown>> = [];
  for (const method of options.methods.filter(isFeatureMethod)) {
    methods.push(
      method.kind === 'extractor'
        ? { name: method.name, kind: method.kind, fingerprint: method.extractor.fingerprint }
        : {
            name: method.name,
            kind: method.kind,
            gridSize: method.gridSize ?? 4,
            batchNorm: method.batchNorm ?? 'population',
            weights: await modelFingerprint(method.discriminator),
          },
    );
  }
  return {
    dataset: options.dataset,
    train: selectionIdentity(options.train),
    test: selectionIdentity(options.test),
    inputShape: inputShapeOf(options),
    validationSize: settings.validationSize,
    seed: settings.seed,
    statisticsLimit: options.statisticsLimit ?? null,
    storage: options.storage ?? 'float16',
    methods,
  };
}

function differences(recorded: unknown, expected: Record<string, unknown>): string {
  const record = (recorded ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(record), ...Object.keys(expected)])];
  return keys.filter((key) => JSON.stringify(record[key]) !== JSON.stringify(expected[key])).join(', ');
}

function requireFeatureDirectory(options: LinearProbeOptions, what: string): string {
  if (options.featureDirectory === undefined)
    throw new ProbeError(`Expected \`featureDirectory\` for ${what}: the shards' stores are kept there`);
  return options.featureDirectory;
}

/** The stores of a probe: pixels and every feature method, train and test. */
function storeNames(options: LinearProbeOptions): string[] {
  return ['pixels', ...options.methods.filter(isFeatureMethod).map((method) => method.name)];
}

/**
 * Shard `shard` of a probe's feature extraction: the shard's train and test items (position `p` when
 * `p mod count === index`) through the pixel extractor and every discriminator or extractor method, into the
 * shard folders of the stores under `featureDirectory`, resumable as ever. The validation split is drawn from the
 * labels alone, so every shard computes the same batch-norm statistics over the pool (a full pass in each shard;
 * `statisticsLimit` bounds it). `shard.json` in `<featureDirectory>/shards/shard-0000i-of-0000N` records the
 * settings and, as the last act, that the shard is complete. Run {@link mergeProbeFeatureShards} and then
 * {@link runLinearProbe} with the same options once every shard is done.
 *
 * @example
 * ```ts
 * await extractProbeFeatureShard({ ...probeOptions, featureDirectory: 'runs/probe/features' }, resolveShard(undefined));
 * ```
 */
export async function extractProbeFeatureShard(
  options: LinearProbeOptions,
  shard: Shard,
): Promise<ProbeFeatureShardResult> {
  const settings = resolveProtocol(options);
  checkProbeImages(options.train);
  checkProbeImages(options.test);
  const featureDirectory = requireFeatureDirectory(options, 'a sharded extraction');
  if (isWholeDataset(shard))
    throw new ProbeError(
      `Expected a shard of more than one (i/N with N > 1), got ${formatShard(shard)}; without shards, run runLinearProbe`,
    );
  const directory = shardDirectory(featureDirectory, shard);
  const shardSettings = await probeShardSettings(options);
  const earlier = await readShardManifest(directory);
  if (
    earlier !== undefined &&
    (earlier.stage !== probeFeatureShardStage || differences(earlier.settings, shardSettings) !== '')
  ) {
    throw new ProbeError(
      `${directory}: this shard was started with other settings (${differences(earlier.settings, shardSettings) || earlier.stage}); delete the folder or use another output folder`,
      {
        file: directory,
      },
    );
  }
  const trainItems = shardItemCount(probeImageCount(options.train), shard);
  const testItems = shardItemCount(probeImageCount(options.test), shard);
  await mkdir(directory, { recursive: true });
  if (earlier?.complete !== true)
    await writeShardManifest(directory, {
      stage: probeFeatureShardStage,
      shard,
      items: 0,
      complete: false,
      settings: shardSettings,
    });

  const heldOut = holdOutValidation(settings, await readTrainLabels(options.train));
  const featureMethods = options.methods.filter(isFeatureMethod);
  const methodCount = featureMethods.length + 1;
  options.onEvent?.({ status: 'method-start', method: 'pixels', kind: 'pixels', index: 0, methodCount });
  const pixelExtractor = createPixelExtractor(inputShapeOf(options));
  await extractSplitFeatures(options, pixelExtractor, 'pixels', 'train', shard);
  await extractSplitFeatures(options, pixelExtractor, 'pixels', 'test', shard);
  for (const [index, method] of featureMethods.entries()) {
    if (options.signal?.aborted === true)
      throw new ProbeError('The probe was aborted', { cause: options.signal.reason });
    options.onEvent?.({
      status: 'method-start',
      method: method.name,
      kind: method.kind,
      index: index + 1,
      methodCount,
    });
    const extractor = await featureMethodExtractor(options, method, heldOut.pool, shard);
    try {
      await extractSplitFeatures(options, extractor, method.name, 'train', shard);
      await extractSplitFeatures(options, extractor, method.name, 'test', shard);
    } finally {
      if (method.kind === 'discriminator') extractor.dispose();
    }
  }
  await writeShardManifest(directory, {
    stage: probeFeatureShardStage,
    shard,
    items: trainItems + testItems,
    complete: true,
    settings: shardSettings,
  });
  const stores = storeNames(options).flatMap((name) =>
    (['train', 'test'] as const).map((split) => featureStoreDirectory(featureDirectory, name, split, shard)),
  );
  return { shard, directory, trainItems, testItems, stores };
}

/**
 * Checks that every shard of {@link extractProbeFeatureShard} is present, complete and made with these options
 * (naming each missing, duplicated or unfinished shard), then joins each store's shards into the store (and the
 * batch-norm statistics into their cache) exactly as one unsharded run writes them. {@link runLinearProbe} with the
 * same options then reads them instead of extracting, and reports what one process reports.
 *
 * @example
 * ```ts
 * await mergeProbeFeatureShards(probeOptions);
 * const report = await runLinearProbe(probeOptions);
 * ```
 */
export async function mergeProbeFeatureShards(options: LinearProbeOptions): Promise<ProbeFeatureMergeResult> {
  resolveProtocol(options);
  const featureDirectory = requireFeatureDirectory(options, 'merging shards');
  const shards = await collectShards(featureDirectory, probeFeatureShardStage);
  const changed = differences(shards[0]!.manifest.settings, await probeShardSettings(options));
  if (changed !== '') {
    throw new ProbeError(
      `${join(featureDirectory, 'shards')}: the shards were made with other settings than this merge (${changed} differ); merge with the settings the shards ran with`,
      {
        file: featureDirectory,
      },
    );
  }
  const stores: string[] = [];
  for (const name of storeNames(options)) {
    for (const split of ['train', 'test'] as const) {
      const store = featureStoreDirectory(featureDirectory, name, split);
      await mergeFeatureShards(store, store);
      stores.push(store);
    }
  }
  for (const method of options.methods) {
    if (method.kind !== 'discriminator' || (method.batchNorm ?? 'population') !== 'population') continue;
    // Every shard computed the statistics over the same pool: they must agree to the byte.
    const texts = await Promise.all(
      shards.map(({ shard }) => readStatisticsText(statisticsCachePath(featureDirectory, method.name, shard))),
    );
    const differing = shards.filter((_, index) => texts[index] !== texts[0]).map(({ shard }) => formatShard(shard));
    if (differing.length > 0) {
      throw new ProbeError(
        `${featureDirectory}: the batch-norm statistics of \`${method.name}\` differ between shard ${formatShard(shards[0]!.shard)} and shard(s) ${differing.join(', ')}`,
        {
          file: featureDirectory,
        },
      );
    }
    await writeFileAtomic(statisticsCachePath(featureDirectory, method.name), texts[0]!);
  }
  return { shards: shards.length, stores };
}

async function readStatisticsText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ProbeError(
      `${path}: cannot read the shard's batch-norm statistics (${(error as Error).message}); rerun that shard`,
      { cause: error, file: path },
    );
  }
}
