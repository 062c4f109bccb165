import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createDiscriminator, dcganPresets, discriminatorFeatureModel } from '@dcgan/core';
import { pad } from '@dcgan/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ProbeError } from '../errors/probe-error';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistSource, mnistSourceWithBrokenItem } from '../test-support/mnist-images';
import { batchNormLayers } from './batch-norm-statistics';
import { copyModel, createDiscriminatorExtractor } from './discriminator-extractor';
import { extractFeatures } from './extract-features';
import { createPixelExtractor } from './feature-extractor';
import type { FeatureEvent } from './feature-events';
import {
  discriminatorFeatureDimension,
  discriminatorFeatureLayout,
  paperDimensionConfig,
  paperFeatureDimension,
} from './feature-layout';
import { readFeatureStore } from './feature-store';

beforeAll(useCpuBackend);

/** Random images in [-1, 1]. */
function randomImages(count: number, size: number, channels: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([count, size, size, channels], -1, 1, 'float32', seed);
}

/** The independent reference: tfjs's own maxPool kernel over D's activations, flattened and concatenated. */
function referenceFeatures(
  featureModel: tfl.LayersModel,
  images: tf.Tensor4D,
  gridSize: number,
  training: boolean,
): tf.Tensor2D {
  return tf.tidy(() => {
    const outputs = featureModel.apply(images, { training }) as tf.Tensor4D[];
    const pooled = outputs.map((activations) => {
      const size = activations.shape[1];
      const window = size / gridSize;
      const cells = tf.maxPool(activations, window, window, 'valid');
      return tf.reshape(cells, [images.shape[0], -1]);
    });
    return tf.concat(pooled, 1) as tf.Tensor2D;
  });
}

async function maxAbsoluteDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const value = (await difference.data())[0]!;
  difference.dispose();
  return value;
}

describe('feature dimensions', () => {
  it("gives the paper's 28,672 for a 32px D with 256 + 512 + 1,024 channels, by formula and on the built model", () => {
    expect(discriminatorFeatureDimension(paperDimensionConfig)).toBe(paperFeatureDimension);
    const discriminator = createDiscriminator(paperDimensionConfig);
    const layout = discriminatorFeatureLayout(discriminator);
    expect(layout.dimension).toBe(28_672);
    expect(layout.layers.map((layer) => [layer.name, layer.height, layer.channels, layer.poolSize])).toEqual([
      ['d_lrelu1', 16, 256, 4],
      ['d_lrelu2', 8, 512, 2],
      ['d_lrelu3', 4, 1024, 1],
    ]);
    discriminator.dispose();
  });

  it('agrees with the layout of built models for other sizes, widths and grids', () => {
    for (const config of [
      { imageSize: 16, channels: 1, baseWidth: 8 },
      { imageSize: 32, channels: 1, baseWidth: 32 },
      { imageSize: 64, channels: 3, baseWidth: 4 },
      { imageSize: 64, channels: 3, baseWidth: 4, kernelSize: 5 },
    ] as const) {
      const discriminator = createDiscriminator(config);
      for (const gridSize of [1, 2, 4]) {
        expect(discriminatorFeatureLayout(discriminator, gridSize).dimension).toBe(
          discriminatorFeatureDimension(config, gridSize),
        );
      }
      discriminator.dispose();
    }
    expect(discriminatorFeatureDimension(dcganPresets.dcgan32Small)).toBe(16 * (32 + 64 + 128));
  });

  it('rejects grids that do not divide the feature maps', () => {
    const discriminator = createDiscriminator({ imageSize: 16, channels: 1, baseWidth: 2 });
    expect(() => discriminatorFeatureLayout(discriminator, 3)).toThrow(
      /Cannot max-pool layer `d_lrelu1` \(8x8\) to a 3x3 grid/,
    );
    expect(() => discriminatorFeatureLayout(discriminator, 0)).toThrow(/`gridSize` to be a positive integer, got `0`/);
    expect(() => discriminatorFeatureDimension({ imageSize: 32 }, 8)).toThrow(/`gridSize` to be 1, 2 or 4/);
    discriminator.dispose();
  });
});

describe('discriminator features', () => {
  const config = { imageSize: 32, channels: 1, baseWidth: 4 } as const;
  let discriminator: tfl.LayersModel;
  beforeAll(() => {
    discriminator = createDiscriminator(config, { seed: 3 });
  });
  afterAll(() => discriminator.dispose());

  it("equal tfjs cpu maxPool over D's inference-mode activations (stored statistics), without leaking tensors", async () => {
    const extractor = await createDiscriminatorExtractor(discriminator, { batchNorm: 'stored' });
    expect(extractor.dimension).toBe(16 * (4 + 8 + 16));
    const images = randomImages(5, 32, 1, 11);
    const reference = referenceFeatures(discriminatorFeatureModel(discriminator), images, 4, false);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const features = extractor.extract(images);
      expect(features.shape).toEqual([5, extractor.dimension]);
      expect(await maxAbsoluteDifference(features, reference)).toBe(0);
      features.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, reference]);
    extractor.dispose();
  });

  it("with population statistics of a one-batch training set, equal D's training-mode features on that batch", async () => {
    // Averaging batch statistics over a single batch gives that batch's statistics, so inference-mode batch
    // norm must reproduce training-mode batch norm exactly: an independent check of the statistics pass.
    const source = await mnistSource(2);
    const statisticsImages = { source, transform: [pad(32)] };
    const runningBefore = await Promise.all(discriminator.weights.map((weight) => weight.read().data()));
    const extractor = await createDiscriminatorExtractor(discriminator, { statisticsImages, statisticsBatchSize: 64 });
    expect(extractor.statistics?.images).toBe(20);
    expect(extractor.statistics?.layers.map((layer) => layer.name)).toEqual(['d_bn2', 'd_bn3']);

    const { features } = await extractFeatures(extractor, statisticsImages, { batchSize: 7 });
    const rows = tf.tensor2d(Float32Array.from([...features].flatMap((row) => Array.from(row))), [
      features.rowCount,
      features.columnCount,
    ]);
    const trainingCopy = await copyModel(discriminator);
    const images = await imagesOf(source, 32);
    const reference = referenceFeatures(discriminatorFeatureModel(trainingCopy), images, 4, true);
    expect(await maxAbsoluteDifference(rows, reference)).toBeLessThan(2e-5);
    // The stored running averages give different features: the statistics were really used.
    const stored = await createDiscriminatorExtractor(discriminator, { batchNorm: 'stored' });
    const storedFeatures = stored.extract(images);
    expect(await maxAbsoluteDifference(storedFeatures, reference)).toBeGreaterThan(1e-2);

    // The caller's discriminator is untouched (weights and running averages).
    const runningAfter = await Promise.all(discriminator.weights.map((weight) => weight.read().data()));
    runningAfter.forEach((values, index) => expect(Array.from(values)).toEqual(Array.from(runningBefore[index]!)));
    tf.dispose([rows, images, reference, storedFeatures]);
    trainingCopy.dispose();
    stored.dispose();
    extractor.dispose();
  });

  it('averages per-batch statistics over batches, weighted by batch size', async () => {
    const source = await mnistSource(1);
    const images = await imagesOf(source, 32);
    const extractor = await createDiscriminatorExtractor(discriminator, {
      statisticsImages: { source, transform: [pad(32)] },
      statisticsBatchSize: 6,
    });
    expect(extractor.statistics?.batches).toBe(2);
    // Reference: the conv2 output (d_bn2's input) of each batch with tf.moments, averaged 6:4.
    const copy = await copyModel(discriminator);
    const conv2 = copy.getLayer('d_conv2');
    const { model } = await import('@tensorflow/tfjs-layers');
    const probe = model({ inputs: copy.inputs, outputs: conv2.output as tfl.SymbolicTensor });
    const expected = tf.tidy(() => {
      const first = tf.moments(
        probe.apply(tf.slice(images, [0, 0, 0, 0], [6, -1, -1, -1]), { training: true }) as tf.Tensor,
        [0, 1, 2],
      );
      const second = tf.moments(
        probe.apply(tf.slice(images, [6, 0, 0, 0], [4, -1, -1, -1]), { training: true }) as tf.Tensor,
        [0, 1, 2],
      );
      return [
        tf.add(tf.mul(first.mean, 0.6), tf.mul(second.mean, 0.4)),
        tf.add(tf.mul(first.variance, 0.6), tf.mul(second.variance, 0.4)),
      ];
    });
    const [mean, variance] = await Promise.all(expected.map((tensor) => tensor.data()));
    const layer = extractor.statistics!.layers[0]!;
    layer.mean.forEach((value, channel) => expect(value).toBeCloseTo(mean![channel]!, 5));
    layer.variance.forEach((value, channel) => expect(value).toBeCloseTo(variance![channel]!, 5));
    tf.dispose([...expected, images]);
    copy.dispose();
    extractor.dispose();
  });

  it('explains a missing transform and missing statistics images', async () => {
    const source = await mnistSource(1);
    const extractor = await createDiscriminatorExtractor(discriminator, { batchNorm: 'stored' });
    await expect(extractFeatures(extractor, { source })).rejects.toThrow(
      /Expected 32x32x1 images for this model, got 28x28x1 .*pass a `transform`/,
    );
    await expect(createDiscriminatorExtractor(discriminator)).rejects.toThrow(/Expected `statisticsImages`/);
    await expect(createDiscriminatorExtractor(discriminator, { batchNorm: 'running' as never })).rejects.toThrow(
      ProbeError,
    );
    extractor.dispose();
    expect(batchNormLayers(discriminator)).toHaveLength(2);
  });
});

describe('extractFeatures', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dcgan-probe-features-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('stores float16 chunks on disk, reads them back, and resumes an interrupted run', async () => {
    const discriminator = createDiscriminator({ imageSize: 32, channels: 1, baseWidth: 4 }, { seed: 5 });
    const source = await mnistSource(3);
    const images = { source, indices: [29, 0, 5, 17, 3, 8, 22, 11, 14, 26, 1], transform: [pad(32)] };
    const extractor = await createDiscriminatorExtractor(discriminator, { batchNorm: 'stored' });
    const inMemory = await extractFeatures(extractor, images, { batchSize: 4 });
    expect(Array.from(inMemory.labels)).toEqual(images.indices.map((index) => Math.floor(index / 3)));
    expect(Array.from(inMemory.positions)).toEqual(images.indices.map((_, position) => position));
    expect(inMemory.keys[0]).toBe('mnist/9/2');

    const store = join(directory, 'store');
    const controller = new AbortController();
    const events: FeatureEvent[] = [];
    await expect(
      extractFeatures(extractor, images, {
        batchSize: 2,
        chunkItems: 4,
        directory: store,
        signal: controller.signal,
        onEvent: (event) => {
          events.push(event);
          if (event.status === 'chunk-written') controller.abort();
        },
      }),
    ).rejects.toThrow(/aborted/);
    expect(events.filter((event) => event.status === 'chunk-written')).toHaveLength(1);
    await expect(readFeatureStore(store)).rejects.toThrow(/incomplete \(1 chunks written\)/);

    const resumedEvents: FeatureEvent[] = [];
    const resumed = await extractFeatures(extractor, images, {
      batchSize: 2,
      chunkItems: 4,
      directory: store,
      onEvent: (event) => resumedEvents.push(event),
    });
    expect(resumedEvents[0]).toMatchObject({ status: 'resumed', chunks: 1, items: 4 });
    expect((await readdir(store)).filter((file) => file.endsWith('.f16'))).toHaveLength(3);
    expect((await stat(join(store, 'chunk-00000.f16'))).size).toBe(4 * extractor.dimension * 2);

    const reread = await readFeatureStore(store);
    for (const stored of [resumed, reread]) {
      expect(Array.from(stored.labels)).toEqual(Array.from(inMemory.labels));
      expect(stored.keys).toEqual(inMemory.keys);
      for (let row = 0; row < inMemory.features.rowCount; row++) {
        const expected = inMemory.features.row(row);
        const actual = stored.features.row(row);
        expected.forEach((value, column) =>
          expect(Math.abs(actual[column]! - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11 + 2 ** -24),
        );
      }
    }
    // A run that extracts into a store hands back what the store holds (float16-rounded), so it and a later run
    // that reads the store compute with the same numbers.
    const fresh = await extractFeatures(extractor, images, {
      batchSize: 4,
      chunkItems: 4,
      directory: join(directory, 'fresh'),
    });
    for (let row = 0; row < reread.features.rowCount; row++)
      expect(Array.from(fresh.features.row(row))).toEqual(Array.from(reread.features.row(row)));
    expect(Array.from(fresh.features.row(0))).not.toEqual(Array.from(inMemory.features.row(0)));
    // A store is tied to its extractor.
    const pixels = createPixelExtractor([32, 32, 1]);
    await expect(extractFeatures(pixels, images, { chunkItems: 4, directory: store })).rejects.toThrow(
      /made with another fingerprint.*delete it or use another directory/,
    );
    extractor.dispose();
    discriminator.dispose();
  });

  it('skips and reports an undecodable image, keeping the others in order', async () => {
    const source = await mnistSourceWithBrokenItem(10, 4);
    const events: FeatureEvent[] = [];
    const result = await extractFeatures(
      createPixelExtractor([32, 32, 1]),
      { source, transform: [pad(32)] },
      { batchSize: 3, onEvent: (event) => events.push(event) },
    );
    expect(result.features.rowCount).toBe(9);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]!.key).toBe('mnist/4/0');
    expect(Array.from(result.positions)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect(events.find((event) => event.status === 'skipped')).toMatchObject({ key: 'mnist/4/0' });
    expect(events.at(-1)).toMatchObject({ status: 'extract-done', rows: 9, skipped: 1 });
    // Pixel features are the padded digit in [-1, 1]: a corner is background (-1).
    expect(result.features.row(0)[0]).toBe(-1);
  });
});

/** All images of a source, padded to `size`, in [-1, 1], through @dcgan/data's own pipeline. */
async function imagesOf(source: Awaited<ReturnType<typeof mnistSource>>, size: number): Promise<tf.Tensor4D> {
  const { features } = await extractFeatures(
    createPixelExtractor([size, size, 1]),
    { source, transform: [pad(size)] },
    { batchSize: 64 },
  );
  const values = new Float32Array(features.rowCount * features.columnCount);
  [...features].forEach((row, index) => values.set(row, index * features.columnCount));
  return tf.tensor4d(values, [features.rowCount, size, size, 1]);
}
