import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  batchToTensor,
  createBatches,
  openMnistPackage,
  pad,
  splitSource,
  type LabelledImageSource,
} from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveDcganConfig } from '../model/dcgan-config';
import { createGenerator } from '../model/generator';
import { useCpuBackend } from '../test-support/cpu-backend';
import {
  createDigitsFidEvaluator,
  digitsFeatureLayer,
  digitsFeatureModelDirectory,
  loadDigitsFeatureModel,
} from './digits-feature-model';

beforeAll(useCpuBackend);

/** `count` digits of a source (a seeded shuffle: the source is stored class by class) as the quickstart sees them: padded to 32x32, [-1, 1]. */
async function digits(
  source: LabelledImageSource,
  count: number,
  skip = 0,
): Promise<{ images: tf.Tensor4D; labels: number[] }> {
  const batches: tf.Tensor4D[] = [];
  const labels: number[] = [];
  let seen = 0;
  for await (const batch of createBatches(source, {
    batchSize: 250,
    transform: [pad(32)],
    seed: 7,
    dropRemainder: false,
  })) {
    if (seen >= skip) {
      batches.push(batchToTensor(tf, batch));
      labels.push(...batch.labels);
    }
    seen += batch.labels.length;
    if (seen >= skip + count) break;
  }
  const images = tf.tidy(() => tf.slice(tf.concat(batches), 0, count)) as tf.Tensor4D;
  tf.dispose(batches);
  return { images, labels: labels.slice(0, count) };
}

describe('the digits feature network shipped with the package', () => {
  // The split the training script (scripts/train-digits-classifier.mjs) used: these 2,000 were never trained on.
  const split = openMnistPackage().then((mnist) => splitSource(mnist, { validation: 2000, seed: 1 }));

  it('is under 2 MB and classifies held-out real digits as well as training.json says', async () => {
    const directory = digitsFeatureModelDirectory();
    const bytes =
      readFileSync(join(directory, 'weights.bin')).length + readFileSync(join(directory, 'model.json')).length;
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    const training = JSON.parse(readFileSync(join(directory, '..', 'training.json'), 'utf8')) as {
      testAccuracy: number;
      featureSize: number;
    };
    expect(training.testAccuracy).toBeGreaterThan(0.97);
    const model = await loadDigitsFeatureModel();
    const { images, labels } = await digits((await split).validation, 500);
    const predicted = tf.tidy(() => tf.argMax(model.predict(images) as tf.Tensor2D, 1).dataSync());
    const accuracy = labels.filter((label, index) => predicted[index] === label).length / labels.length;
    // 500 of the 2,000 held-out digits: within a few points of the full held-out accuracy.
    expect(accuracy).toBeGreaterThan(training.testAccuracy - 0.03);
    expect(model.getLayer(digitsFeatureLayer).outputShape).toEqual([null, training.featureSize]);
    images.dispose();
    model.dispose();
  });

  it('scores two halves of real digits near zero and an untrained generator far above, without leaking tensors', async () => {
    const { train } = await split;
    const first = await digits(train, 250);
    const second = await digits(train, 250, 250);
    const evaluator = await createDigitsFidEvaluator({
      realImages: first.images,
      sampleCount: 250,
      kidSubsets: 20,
      kidSubsetSize: 200,
    });
    const generator = createGenerator(resolveDcganConfig({ imageSize: 32, channels: 1, baseWidth: 8 }), { seed: 4 });
    const before = tf.memory().numTensors;
    const untrained = await evaluator.evaluate(generator);
    expect(tf.memory().numTensors).toBe(before);
    const real = await evaluator.evaluateImages(second.images);
    expect(real.featureSize).toBe(64);
    expect(real.fid).toBeLessThan(untrained.fid / 10);
    expect(real.kid).toBeLessThan(untrained.kid / 10);
    expect(Math.abs(real.kid)).toBeLessThan(3 * real.kidStd + 1e-3);
    tf.dispose([first.images, second.images]);
    generator.dispose();
  });
});
