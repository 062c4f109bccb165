import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { createSeededRandom, mixSeed, shuffleInPlace } from '@dcgan/common';
import { writeFileAtomic } from '@dcgan/common/node';

import { ProbeError } from '../errors/probe-error';
import type { BatchNormStatistics } from '../features/batch-norm-statistics';
import { createDiscriminatorExtractor, modelFingerprint } from '../features/discriminator-extractor';
import { hashBytes } from '../features/feature-extractor';
import type { FeatureExtractor } from '../features/feature-extractor';
import type { ProbeImages } from '../features/probe-images';
import type { LinearProbeOptions, ProbeMethod } from './linear-probe-options';

/**
 * The extractor of a discriminator method. With population batch norm (the default), the statistics come from the
 * pool (the training images without the validation split; `statisticsLimit` of them at random), cached in
 * `cachePath` and tied to the discriminator's weights, so a rerun (or the merge of a sharded run) skips the pass.
 */
export async function discriminatorExtractor(
  options: LinearProbeOptions,
  method: Extract<ProbeMethod, { kind: 'discriminator' }>,
  poolPositions: Int32Array,
  name: string,
  cachePath: string | undefined,
): Promise<FeatureExtractor> {
  const batchNorm = method.batchNorm ?? 'population';
  if (batchNorm === 'stored')
    return createDiscriminatorExtractor(method.discriminator, {
      batchNorm,
      name,
      ...(method.gridSize === undefined ? {} : { gridSize: method.gridSize }),
    });
  let pool = Array.from(poolPositions);
  if (options.statisticsLimit !== undefined && options.statisticsLimit < pool.length) {
    shuffleInPlace(pool, createSeededRandom(mixSeed(options.seed ?? 0, 4)));
    pool = pool.slice(0, options.statisticsLimit).sort((a, b) => a - b);
  }
  const trainIndices = options.train.indices;
  const statisticsImages: ProbeImages = {
    source: options.train.source,
    indices: trainIndices === undefined ? pool : pool.map((position) => trainIndices[position]!),
    ...(options.train.transform === undefined ? {} : { transform: options.train.transform }),
  };
  // The cache is tied to the weights and to the images the statistics come from (the seed, the validation size
  // and statisticsLimit choose them), so a rerun with other settings computes them again.
  const fingerprint = `${await modelFingerprint(method.discriminator)}:${statisticsImagesFingerprint(statisticsImages)}`;
  let statistics: BatchNormStatistics | undefined;
  if (cachePath !== undefined) statistics = await readStatistics(cachePath, fingerprint);
  const extractor = await createDiscriminatorExtractor(method.discriminator, {
    name,
    batchNorm: statistics ?? 'population',
    statisticsImages,
    statisticsBatchSize: 128,
    ...(method.gridSize === undefined ? {} : { gridSize: method.gridSize }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEvent: (event) => options.onEvent?.({ status: 'features', method: name, split: 'statistics', event }),
  });
  if (cachePath !== undefined && statistics === undefined && extractor.statistics !== undefined) {
    await mkdir(dirname(cachePath), { recursive: true });
    await writeFileAtomic(cachePath, `${JSON.stringify(serializeStatistics(extractor.statistics, fingerprint))}\n`);
  }
  return extractor;
}

/** A hash of which images (positions in the source) and which transform the statistics are computed over. */
function statisticsImagesFingerprint(images: ProbeImages): string {
  const indices = Int32Array.from(images.indices ?? []);
  const positions = hashBytes(new Uint8Array(indices.buffer));
  return hashBytes(new TextEncoder().encode(JSON.stringify(images.transform ?? [])), Number.parseInt(positions, 16));
}

/** The cache file's content. */
interface SerializedStatistics {
  readonly fingerprint: string;
  readonly images: number;
  readonly batches: number;
  readonly layers: ReadonlyArray<{ readonly name: string; readonly mean: number[]; readonly variance: number[] }>;
}

function serializeStatistics(statistics: BatchNormStatistics, fingerprint: string): SerializedStatistics {
  return {
    fingerprint,
    images: statistics.images,
    batches: statistics.batches,
    layers: statistics.layers.map((layer) => ({
      name: layer.name,
      mean: Array.from(layer.mean),
      variance: Array.from(layer.variance),
    })),
  };
}

/** The cached statistics of the model with `fingerprint`; undefined when there is no cache or it is another model's. */
async function readStatistics(path: string, fingerprint: string): Promise<BatchNormStatistics | undefined> {
  let parsed: SerializedStatistics;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as SerializedStatistics;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ProbeError(`${path}: cannot read cached batch-norm statistics: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  if (parsed.fingerprint !== fingerprint) return undefined;
  return {
    images: parsed.images,
    batches: parsed.batches,
    layers: parsed.layers.map((layer) => ({
      name: layer.name,
      mean: Float32Array.from(layer.mean),
      variance: Float32Array.from(layer.variance),
    })),
  };
}
