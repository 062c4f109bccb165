import { applyTransform, createMemorySource, toGrayscale, resize } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistSamples } from '../test-support/mnist-samples';
import { SemanticHasher } from './semantic-hasher';
import { trainSemanticHasher, type TrainHasherEvent } from './train-semantic-hasher';

const architecture = { imageWidth: 16, imageHeight: 16, channels: 1 as const, codeBits: 32, threshold: 0 };
const plainArchitecture = { ...architecture, inputNormalisation: 'none' as const };

beforeAll(useCpuBackend);

/**
 * The code layer's input in float64 plain JS: x / 255, or for a standardising hasher (x - mean) / max(std, 0.02) -
 * inputMean with the population standard deviation.
 */
function referenceInput(hasher: SemanticHasher, pixels: Uint8Array): number[] {
  const values = Array.from(pixels, (value) => value / 255);
  const { inputMean } = hasher.getWeights();
  if (inputMean === undefined) return values;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
  return values.map((value, index) => (value - mean) / Math.max(deviation, 0.02) - inputMean[index]!);
}

/** relu(x W + b) > threshold in float64 plain JS, from the weight arrays: independent of tfjs's kernels. */
function referenceBits(hasher: SemanticHasher, pixels: Uint8Array): { bits: number[]; margins: number[] } {
  const { encoderKernel, encoderBias } = hasher.getWeights();
  const { inputSize, codeBits } = hasher;
  const input = referenceInput(hasher, pixels);
  const bits: number[] = [];
  const margins: number[] = [];
  for (let unit = 0; unit < codeBits; unit += 1) {
    let sum = encoderBias[unit]!;
    for (let index = 0; index < inputSize; index += 1) sum += input[index]! * encoderKernel[index * codeBits + unit]!;
    const activation = Math.max(0, sum);
    bits.push(activation > hasher.architecture.threshold ? 1 : 0);
    margins.push(Math.abs(sum - hasher.architecture.threshold));
  }
  return { bits, margins };
}

describe('SemanticHasher', () => {
  it('is the 3072-128-3072 autoencoder by default', () => {
    const hasher = SemanticHasher.create();
    expect(hasher.inputSize).toBe(3072);
    expect(hasher.codeBits).toBe(128);
    expect(hasher.architecture.inputNormalisation).toBe('standardise');
    expect(hasher.weightSizes()).toEqual({
      encoderKernel: 3072 * 128,
      encoderBias: 128,
      decoderKernel: 128 * 3072,
      decoderBias: 3072,
      inputMean: 3072,
    });
    hasher.dispose();
  });

  it.each(['none', 'standardise'] as const)(
    'hashes to thresholded ReLU code activations, matching a plain-JS reference bit for bit (input %s)',
    async (inputNormalisation) => {
      const samples = await mnistSamples(3);
      const hasher = SemanticHasher.create({ architecture: { ...architecture, inputNormalisation }, seed: 3 });
      if (inputNormalisation === 'standardise')
        hasher.setInputMean(Float32Array.from({ length: 256 }, (_, index) => Math.cos(index) / 3));
      const codes = await hasher.hashImages(samples.map((sample) => sample.image));
      let compared = 0;
      samples.forEach((sample, item) => {
        const { bits, margins } = referenceBits(hasher, sample.image.data);
        bits.forEach((bit, unit) => {
          if (margins[unit]! < 1e-5) return; // float32 vs float64 may round either way this close to the threshold
          expect((codes[item * 4 + (unit >> 3)]! >> (unit & 7)) & 1).toBe(bit);
          compared += 1;
        });
      });
      expect(compared).toBeGreaterThan(samples.length * 32 * 0.99);
      hasher.dispose();
    },
  );

  it('hashes deterministically: same codes across calls, batch splits and seeds of equal value', async () => {
    const images = (await mnistSamples(2)).map((sample) => sample.image);
    const first = SemanticHasher.create({ architecture, seed: 9 });
    const second = SemanticHasher.create({ architecture, seed: 9 });
    const whole = await first.hashImages(images);
    const split = new Uint8Array([
      ...(await first.hashImages(images.slice(0, 7))),
      ...(await first.hashImages(images.slice(7))),
    ]);
    expect(split).toEqual(whole);
    expect(await second.hashImages(images)).toEqual(whole);
    expect(await second.fingerprint()).toBe(await first.fingerprint());
    const other = SemanticHasher.create({ architecture, seed: 10 });
    expect(await other.fingerprint()).not.toBe(await first.fingerprint());
    for (const hasher of [first, second, other]) hasher.dispose();
  });

  it('without input normalisation or code-layer bias, gives the same bits when the image is uniformly darker', async () => {
    const hasher = SemanticHasher.create({ architecture: plainArchitecture, seed: 6 });
    const even = (await mnistSamples(2)).map((sample) => ({
      ...sample.image,
      data: sample.image.data.map((value) => value & 0xfe),
    }));
    const halved = even.map((image) => ({ ...image, data: image.data.map((value) => value / 2) }));
    const [bright, dark] = [await hasher.activations(even), await hasher.activations(halved)];
    bright.forEach((value, index) => expect(dark[index]!).toBeCloseTo(value / 2, 5));
    expect(await hasher.hashImages(halved)).toEqual(await hasher.hashImages(even));
    hasher.dispose();
  });

  it('standardising, gives the same activations under a brightness gain and offset', async () => {
    const hasher = SemanticHasher.create({ architecture, seed: 6 });
    hasher.setInputMean(Float32Array.from({ length: 256 }, (_, index) => Math.sin(index) / 5));
    const images = (await mnistSamples(2)).map((sample) => ({
      ...sample.image,
      data: sample.image.data.map((value) => value & 0xfe),
    }));
    // 0.5 x + 40 is exact in bytes for even x and stays below 255.
    const changed = images.map((image) => ({ ...image, data: image.data.map((value) => value / 2 + 40) }));
    const [before, after] = [await hasher.activations(images), await hasher.activations(changed)];
    before.forEach((value, index) => expect(after[index]!).toBeCloseTo(value, 4));
    expect(await hasher.hashImages(changed)).toEqual(await hasher.hashImages(images));
    hasher.dispose();
  });

  it('refuses an input mean for a hasher that does not standardise, and one of the wrong size', () => {
    const plain = SemanticHasher.create({ architecture: plainArchitecture });
    expect(() => plain.setInputMean(new Float32Array(256))).toThrow(
      "does not standardise its input (`inputNormalisation: 'none'`)",
    );
    const standardising = SemanticHasher.create({ architecture });
    expect(() => standardising.setInputMean(new Float32Array(3))).toThrow(
      'Expected `inputMean` to be a Float32Array of 256 values',
    );
    plain.dispose();
    standardising.dispose();
  });

  it('refuses images of the wrong shape, naming the image', async () => {
    const hasher = SemanticHasher.create({ architecture });
    const wrong = { width: 8, height: 8, channels: 1 as const, data: new Uint8Array(64) };
    await expect(hasher.hashImages([wrong])).rejects.toThrow(
      "Expected image 0 to be 16x16x1 (the hasher's input), got 8x8x1",
    );
    hasher.dispose();
  });
});

describe('trainSemanticHasher', () => {
  it('lowers the reconstruction loss on real digits without leaking tensors', async () => {
    const samples = await mnistSamples(16);
    const source = createMemorySource(samples);
    const tensorCounts: number[] = [];
    const events: TrainHasherEvent[] = [];
    const before = tf.memory().numTensors;
    const { hasher, losses, epochsCompleted } = await trainSemanticHasher(source, {
      architecture,
      transform: [resize(16), toGrayscale()],
      epochs: 4,
      batchSize: 16,
      learningRate: 3e-3,
      seed: 1,
      onEvent: (event) => {
        events.push(event);
        if (event.status === 'step') tensorCounts.push(tf.memory().numTensors);
      },
    });
    expect(epochsCompleted).toBe(4);
    expect(losses).toHaveLength(4);
    expect(losses[3]!).toBeLessThan(losses[0]! * 0.8);
    // The optimizer's moments appear at the first step; after that the count must not move.
    expect(new Set(tensorCounts.slice(1)).size).toBe(1);
    expect(events.filter((event) => event.status === 'epoch-end')).toHaveLength(4);
    // 160 images are far fewer than 150 per code bit: one warning, before the first epoch.
    expect(events[0]).toEqual({
      status: 'small-training-set',
      images: 160,
      recommended: 150 * hasher.codeBits,
      codeBits: hasher.codeBits,
    });
    expect(events.filter((event) => event.status === 'small-training-set')).toHaveLength(1);
    expect(hasher.training).toMatchObject({ epochs: 4, batchSize: 16, source: source.description });
    hasher.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('centres a new standardising hasher on its training set, and on dark digits on white keeps fewer bits constant', async () => {
    // Real digits drawn dark on a white background, as icons and clip art are.
    const samples = (await mnistSamples(16)).map((sample) => ({
      ...sample,
      image: { ...sample.image, data: sample.image.data.map((value) => 255 - value) },
    }));
    const transform = [resize(16), toGrayscale()];
    const train = async (inputNormalisation: 'none' | 'standardise') =>
      (
        await trainSemanticHasher(createMemorySource(samples), {
          architecture: { ...architecture, inputNormalisation },
          transform,
          epochs: 3,
          batchSize: 16,
          learningRate: 3e-3,
          seed: 2,
        })
      ).hasher;
    const standardising = await train('standardise');
    const plain = await train('none');
    // inputMean: the mean over the 160 images of (x - mean) / max(std, 0.02), in float64 plain JS.
    const images = await Promise.all(samples.map(async (sample) => applyTransform(sample.image, transform)));
    const expected = new Float64Array(256);
    for (const image of images) {
      const values = Array.from(image.data, (value) => value / 255);
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
      values.forEach(
        (value, index) =>
          (expected[index] = expected[index]! + (value - mean) / Math.max(deviation, 0.02) / images.length),
      );
    }
    const inputMean = standardising.getWeights().inputMean!;
    expected.forEach((value, index) => expect(inputMean[index]!).toBeCloseTo(value, 4));
    const constantBits = async (hasher: SemanticHasher) => {
      const codes = await hasher.hashImages(images);
      let constant = 0;
      for (let bit = 0; bit < 32; bit += 1) {
        const ones = images.filter((_, item) => (codes[item * 4 + (bit >> 3)]! >> (bit & 7)) & 1).length;
        if (ones === 0 || ones === images.length) constant += 1;
      }
      return constant;
    };
    const [centred, uncentred] = [await constantBits(standardising), await constantBits(plain)];
    expect(centred).toBeLessThan(uncentred);
    standardising.dispose();
    plain.dispose();
  });

  it('repeats exactly for a seed', async () => {
    const source = createMemorySource(await mnistSamples(8));
    const run = async () => {
      const { hasher } = await trainSemanticHasher(source, {
        architecture,
        transform: [resize(16), toGrayscale()],
        epochs: 1,
        batchSize: 16,
        seed: 5,
      });
      const fingerprint = await hasher.fingerprint();
      hasher.dispose();
      return fingerprint;
    };
    expect(await run()).toBe(await run());
  });

  it('with corruption.jpegShare, trains on seeded JPEG round trips: repeatable, not the same as without, recorded', async () => {
    const source = createMemorySource(await mnistSamples(8));
    const run = async (jpegShare: number) => {
      const { hasher, losses } = await trainSemanticHasher(source, {
        architecture,
        transform: [resize(16), toGrayscale()],
        epochs: 1,
        batchSize: 16,
        seed: 5,
        corruption: { noiseStandardDeviation: 0, brightnessJitter: 0, jpegShare, jpegQuality: [20, 30] },
      });
      const result = { fingerprint: await hasher.fingerprint(), loss: losses[0]!, training: hasher.training };
      hasher.dispose();
      return result;
    };
    const reencoded = await run(1);
    expect(await run(1)).toEqual(reencoded);
    const plain = await run(0);
    expect(reencoded.fingerprint).not.toBe(plain.fingerprint);
    // Reconstructing clean digits from JPEG q20-30 copies is harder than from the digits themselves.
    expect(reencoded.loss).toBeGreaterThan(plain.loss);
    expect(reencoded.training?.corruption).toMatchObject({ jpegShare: 1, jpegQuality: [20, 30] });
    expect(plain.training?.corruption).not.toHaveProperty('jpegShare');
  });

  it('stops on abort, keeping what it learned, and calls afterEpoch once per finished epoch', async () => {
    const source = createMemorySource(await mnistSamples(8));
    const controller = new AbortController();
    const finished: number[] = [];
    const result = await trainSemanticHasher(source, {
      architecture,
      transform: [resize(16), toGrayscale()],
      epochs: 5,
      batchSize: 16,
      signal: controller.signal,
      afterEpoch: (epoch) => {
        finished.push(epoch);
      },
      onEvent: (event) => {
        if (event.status === 'step' && event.epoch === 1 && event.step === 2) controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.epochsCompleted).toBe(1);
    expect(finished).toEqual([0]);
    expect(result.hasher.training.epochs).toBe(1);
    // Continue from the saved state: epochs 1..2 only.
    const continued = await trainSemanticHasher(source, {
      hasher: result.hasher,
      startEpoch: 1,
      epochs: 3,
      transform: [resize(16), toGrayscale()],
      batchSize: 16,
    });
    expect(continued.losses).toHaveLength(2);
    expect(continued.hasher.training.epochs).toBe(3);
    result.hasher.dispose();
  });

  it('trains on imagesPerEpoch images per epoch when asked', async () => {
    const source = createMemorySource(await mnistSamples(8));
    let steps = 0;
    const { hasher } = await trainSemanticHasher(source, {
      architecture,
      transform: [resize(16), toGrayscale()],
      epochs: 2,
      batchSize: 16,
      imagesPerEpoch: 32,
      onEvent: (event) => {
        if (event.status === 'step') steps += 1;
      },
    });
    expect(steps).toBe(4);
    hasher.dispose();
  });

  it('validates options with a message naming the field', async () => {
    const source = createMemorySource(await mnistSamples(1));
    await expect(trainSemanticHasher(source, { epochs: 0 })).rejects.toThrow(
      'Expected `epochs` to be a positive integer, got `0`',
    );
    await expect(trainSemanticHasher(source, { corruption: { maskingFraction: 1 } })).rejects.toThrow(
      'Expected `corruption.maskingFraction` to be in [0, 1), got `1`',
    );
    await expect(trainSemanticHasher(source, { corruption: { jpegShare: 1.5 } })).rejects.toThrow(
      'Expected `corruption.jpegShare` to be in [0, 1], got `1.5`',
    );
    await expect(trainSemanticHasher(source, { corruption: { jpegQuality: [90, 50] } })).rejects.toThrow(
      'Expected `corruption.jpegQuality` to be [low, high] integers in 1..100, got `[90, 50]`',
    );
  });
});
