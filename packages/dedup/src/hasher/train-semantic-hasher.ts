import {
  centerCrop,
  createBatches,
  createSeededRandom,
  resize,
  type ChannelCount,
  toGrayscale,
  toRgb,
  type ImageSource,
  type ImageTransform,
  type SkippedItem,
} from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';

import { DedupError } from '../errors/dedup-error';
import { reencodeJpeg } from '../image/jpeg-round-trip';
import type { SemanticHasherArchitecture } from './semantic-hasher-architecture';
import { SemanticHasher, standardiseRows } from './semantic-hasher';

/** How the autoencoder's input is corrupted while it learns to reconstruct the clean image (denoising). */
export interface CorruptionOptions {
  /** Standard deviation of Gaussian noise added to the [0, 1] input. @default 0.1 */
  readonly noiseStandardDeviation?: number;
  /** Fraction of input values set to 0 (masking noise). @default 0 */
  readonly maskingFraction?: number;
  /** Each image's values are scaled by a random gain in [1 - jitter, 1 + jitter] (then clipped to [0, 1]). @default 0.2 */
  readonly brightnessJitter?: number;
  /**
   * Share of each batch's images that go through a JPEG round trip (sharp/libjpeg, quality drawn from `jpegQuality`)
   * before the other corruptions, so that the code learns to ignore re-encoding artefacts.
   * @default 0
   */
  readonly jpegShare?: number;
  /** JPEG quality range for `jpegShare`, inclusive. @default [50, 95] */
  readonly jpegQuality?: readonly [number, number];
}

/** Options of {@link trainSemanticHasher}. */
export interface TrainSemanticHasherOptions {
  /** Shape of a new hasher (ignored when `hasher` is given). @default 32x32x3 images, 128 bits, threshold 0 */
  readonly architecture?: Partial<SemanticHasherArchitecture>;
  /** Continue training this hasher instead of a new one. */
  readonly hasher?: SemanticHasher;
  /** Passes over the data. @default 20 */
  readonly epochs?: number;
  /** First epoch to run (to continue a run that stopped; earlier epochs are skipped). @default 0 */
  readonly startEpoch?: number;
  /** @default 128 */
  readonly batchSize?: number;
  /** Adam's learning rate. @default 0.0003 */
  readonly learningRate?: number;
  /** Dropout rate on the code layer while training. @default 0.2 */
  readonly dropout?: number;
  readonly corruption?: CorruptionOptions;
  /** Train on at most this many images per epoch (a fresh seeded sample each epoch). @default all */
  readonly imagesPerEpoch?: number;
  /**
   * Decode-time transform to the hasher's input shape.
   * @default [centerCrop(), resize(width, height), toRgb() or toGrayscale()], the paper's 32x32 center crops
   */
  readonly transform?: ImageTransform;
  /** Seeds the weights, data order, noise and dropout. @default 0 */
  readonly seed?: number;
  readonly onEvent?: (event: TrainHasherEvent) => void;
  /**
   * Awaited after each finished epoch, e.g. to save the hasher so an interrupted run loses at most one epoch
   * (continue with `hasher` and `startEpoch`; Adam's moments restart then, so the result is close to, not equal to,
   * an uninterrupted run).
   */
  readonly afterEpoch?: (epoch: number, hasher: SemanticHasher) => Promise<void> | void;
  /** Stops after the current step; the hasher keeps what it learned so far. */
  readonly signal?: AbortSignal;
}

/**
 * Training images below which the hasher's codes collide often between different images (measured, see
 * packages/dedup/EVALUATION.md: quality against training-set size): 150 per code bit, 19,200 for 128 bits.
 */
export function recommendedTrainingImages(codeBits: number): number {
  return 150 * codeBits;
}

/** Images read (before training) to set a new standardising hasher's `inputMean`. */
export const inputMeanImages = 10_000;

/** Progress of {@link trainSemanticHasher}, tagged by `status`. */
export type TrainHasherEvent =
  | {
      readonly status: 'small-training-set';
      /** Distinct images in the training source. */
      readonly images: number;
      /** {@link recommendedTrainingImages} for this code size. */
      readonly recommended: number;
      readonly codeBits: number;
    }
  | {
      readonly status: 'epoch-start';
      readonly epoch: number;
      readonly epochs: number;
      readonly steps: number | undefined;
    }
  | {
      readonly status: 'step';
      readonly epoch: number;
      readonly step: number;
      readonly steps: number | undefined;
      readonly loss: number;
      readonly imagesPerSecond: number;
    }
  | { readonly status: 'skipped'; readonly key: string; readonly reason: string }
  | {
      readonly status: 'epoch-end';
      readonly epoch: number;
      readonly epochs: number;
      readonly loss: number;
      readonly seconds: number;
    };

/** The trained hasher and how training went. */
export interface TrainSemanticHasherResult {
  readonly hasher: SemanticHasher;
  /** Mean reconstruction loss of each epoch run (MSE on the clean prepared input: standardised, or [0, 1] values). */
  readonly losses: readonly number[];
  readonly epochsCompleted: number;
  readonly aborted: boolean;
  readonly skipped: readonly SkippedItem[];
}

/** The paper's input: the central square, resized, with the hasher's channel count. */
export function defaultHasherTransform(
  architecture: Pick<SemanticHasherArchitecture, 'imageWidth' | 'imageHeight' | 'channels'>,
): ImageTransform {
  return [
    centerCrop(),
    resize(architecture.imageWidth, architecture.imageHeight),
    architecture.channels === 3 ? toRgb() : toGrayscale(),
  ];
}

function check(name: string, value: number | string, valid: boolean, expectation: string): void {
  if (!valid) throw new DedupError(`Expected \`${name}\` to be ${expectation}, got \`${value}\``);
}

/**
 * Trains the semantic hasher as a denoising, dropout-regularised autoencoder on a source: each step corrupts a
 * batch (noise, masking, brightness), applies dropout to the code layer, and minimises the squared error of the
 * reconstruction against the clean images with Adam. Works on any tfjs backend; on wasm, `initBackend()` from
 * @dcgan/backend adds the kernels training needs. Tensors are freed every step.
 *
 * @example
 * const { hasher } = await trainSemanticHasher(await openMnistPackage(), { transform: [pad(32), toRgb()], epochs: 20 });
 * await saveSemanticHasher('hasher.bin', hasher);
 */
export async function trainSemanticHasher(
  source: ImageSource,
  options: TrainSemanticHasherOptions = {},
): Promise<TrainSemanticHasherResult> {
  const epochs = options.epochs ?? 20;
  const startEpoch = options.startEpoch ?? 0;
  const batchSize = options.batchSize ?? 128;
  const learningRate = options.learningRate ?? 3e-4;
  const dropout = options.dropout ?? 0.2;
  const seed = options.seed ?? 0;
  const noise = options.corruption?.noiseStandardDeviation ?? 0.1;
  const masking = options.corruption?.maskingFraction ?? 0;
  const brightness = options.corruption?.brightnessJitter ?? 0.2;
  const jpegShare = options.corruption?.jpegShare ?? 0;
  const jpegQuality = options.corruption?.jpegQuality ?? ([50, 95] as const);
  check('epochs', epochs, Number.isInteger(epochs) && epochs >= 1, 'a positive integer');
  check(
    'startEpoch',
    startEpoch,
    Number.isInteger(startEpoch) && startEpoch >= 0 && startEpoch <= epochs,
    `an integer in 0..epochs (${epochs})`,
  );
  check('batchSize', batchSize, Number.isInteger(batchSize) && batchSize >= 1, 'a positive integer');
  check('learningRate', learningRate, learningRate > 0 && Number.isFinite(learningRate), 'a positive number');
  check('dropout', dropout, dropout >= 0 && dropout < 1, 'in [0, 1)');
  check('seed', seed, Number.isInteger(seed), 'an integer');
  check('corruption.noiseStandardDeviation', noise, noise >= 0 && Number.isFinite(noise), 'a finite number >= 0');
  check('corruption.maskingFraction', masking, masking >= 0 && masking < 1, 'in [0, 1)');
  check('corruption.brightnessJitter', brightness, brightness >= 0 && brightness < 1, 'in [0, 1)');
  check('corruption.jpegShare', jpegShare, jpegShare >= 0 && jpegShare <= 1, 'in [0, 1]');
  check(
    'corruption.jpegQuality',
    `[${jpegQuality.join(', ')}]`,
    jpegQuality.length === 2 &&
      jpegQuality.every((quality) => Number.isInteger(quality) && quality >= 1 && quality <= 100) &&
      jpegQuality[0] <= jpegQuality[1],
    '[low, high] integers in 1..100',
  );
  if (options.imagesPerEpoch !== undefined) {
    check(
      'imagesPerEpoch',
      options.imagesPerEpoch,
      Number.isInteger(options.imagesPerEpoch) && options.imagesPerEpoch >= batchSize,
      `an integer >= batchSize (${batchSize})`,
    );
  }
  const hasher = options.hasher ?? SemanticHasher.create({ architecture: options.architecture ?? {}, seed });
  const transform = options.transform ?? defaultHasherTransform(hasher.architecture);
  const standardising = hasher.architecture.inputNormalisation === 'standardise';
  const { inputSize, codeBits } = hasher;
  const { width, height, channels } = hasher.inputShape;
  const stepLimit =
    options.imagesPerEpoch === undefined ? Number.POSITIVE_INFINITY : Math.floor(options.imagesPerEpoch / batchSize);
  const expectedSteps =
    source.length === undefined ? undefined : Math.min(Math.floor(source.length / batchSize), stepLimit);
  const optimizer = tf.train.adam(learningRate);
  const variables = hasher.trainableVariables();
  const losses: number[] = [];
  const skipped: SkippedItem[] = [];
  let aborted = false;
  let epoch = startEpoch;
  // Distinct seeds for every random tensor of every step, so a run repeats exactly.
  let randomSeed = seed * 1_000_003 + startEpoch * 7919;

  if (source.length !== undefined && startEpoch < epochs && source.length < recommendedTrainingImages(codeBits)) {
    options.onEvent?.({
      status: 'small-training-set',
      images: source.length,
      recommended: recommendedTrainingImages(codeBits),
      codeBits,
    });
  }
  if (standardising && options.hasher === undefined && startEpoch < epochs) {
    // A new hasher centres its inputs on the mean standardised image of (up to inputMeanImages of) the training data.
    let sum = tf.keep(tf.zeros([inputSize]) as tf.Tensor1D);
    let images = 0;
    for await (const batch of createBatches(source, { batchSize, transform, seed, epoch: 0 })) {
      const count = batch.shape[0];
      const next = tf.tidy(
        () =>
          tf.add(
            sum,
            tf.sum(standardiseRows(tf.div(tf.tensor2d(batch.pixels, [count, inputSize], 'float32'), 255)), 0),
          ) as tf.Tensor1D,
      );
      sum.dispose();
      sum = tf.keep(next);
      images += count;
      if (images >= inputMeanImages || options.signal?.aborted === true) break;
    }
    const mean = tf.tidy(() => tf.div(sum, Math.max(images, 1)));
    hasher.setInputMean((await mean.data()) as Float32Array);
    sum.dispose();
    mean.dispose();
  }
  try {
    for (; epoch < epochs; epoch += 1) {
      const started = performance.now();
      options.onEvent?.({ status: 'epoch-start', epoch, epochs, steps: expectedSteps });
      const batches = createBatches(source, {
        batchSize,
        transform,
        seed,
        epoch,
        onEvent: (event) => {
          if (event.status === 'skipped') {
            skipped.push({ key: event.key, reason: event.reason });
            options.onEvent?.({ status: 'skipped', key: event.key, reason: event.reason });
          }
        },
      });
      let step = 0;
      let lossSum = 0;
      for await (const batch of batches) {
        const [count, batchHeight, batchWidth, batchChannels] = batch.shape;
        if (batchHeight !== height || batchWidth !== width || batchChannels !== channels) {
          throw new DedupError(
            `The transform gives ${batchWidth}x${batchHeight}x${batchChannels} images, the hasher takes ${width}x${height}x${channels}; fix \`transform\``,
          );
        }
        const stepStarted = performance.now();
        const seeds = [randomSeed + 1, randomSeed + 2, randomSeed + 3, randomSeed + 4];
        randomSeed += 4;
        const reencoded =
          jpegShare > 0
            ? await reencodeShare(batch.pixels, { count, width, height, channels }, jpegShare, jpegQuality, seeds[0]!)
            : undefined;
        const lossTensor = tf.tidy(() => {
          const clean: tf.Tensor2D = tf.div(tf.tensor2d(batch.pixels, [count, inputSize], 'float32'), 255);
          let corrupted: tf.Tensor =
            reencoded === undefined ? clean : tf.div(tf.tensor2d(reencoded, [count, inputSize], 'float32'), 255);
          if (brightness > 0)
            corrupted = tf.clipByValue(
              tf.mul(corrupted, tf.randomUniform([count, 1], 1 - brightness, 1 + brightness, 'float32', seeds[0])),
              0,
              1,
            );
          if (noise > 0)
            corrupted = tf.add(corrupted, tf.randomNormal([count, inputSize], 0, noise, 'float32', seeds[1]));
          if (masking > 0)
            corrupted = tf.mul(
              corrupted,
              tf.cast(
                tf.greaterEqual(tf.randomUniform([count, inputSize], 0, 1, 'float32', seeds[2]), masking),
                'float32',
              ),
            );
          return optimizer.minimize(
            () => {
              let code: tf.Tensor = hasher.encode(corrupted as tf.Tensor2D);
              if (dropout > 0) {
                const keep = tf.cast(
                  tf.greaterEqual(tf.randomUniform([count, codeBits], 0, 1, 'float32', seeds[3]), dropout),
                  'float32',
                );
                code = tf.div(tf.mul(code, keep), 1 - dropout);
              }
              // A standardising hasher reconstructs its (clean) prepared input, the others the [0, 1] image.
              return tf.mean(
                tf.squaredDifference(hasher.decode(code as tf.Tensor2D), standardising ? hasher.prepare(clean) : clean),
              );
            },
            true,
            variables,
          ) as tf.Scalar;
        });
        const loss = (await lossTensor.data())[0]!;
        lossTensor.dispose();
        if (!Number.isFinite(loss))
          throw new DedupError(
            `Training diverged at epoch ${epoch}, step ${step} (loss ${loss}); lower \`learningRate\``,
          );
        lossSum += loss;
        step += 1;
        options.onEvent?.({
          status: 'step',
          epoch,
          step,
          steps: expectedSteps,
          loss,
          imagesPerSecond: count / ((performance.now() - stepStarted) / 1000),
        });
        if (options.signal?.aborted === true) {
          aborted = true;
          break;
        }
        if (step >= stepLimit) break;
      }
      if (step === 0)
        throw new DedupError(
          `${source.description}: no batch of ${batchSize} images could be read to train the hasher`,
        );
      if (aborted) break;
      const loss = lossSum / step;
      losses.push(loss);
      hasher.training = {
        ...hasher.training,
        source: source.description,
        epochs: epoch + 1,
        batchSize,
        learningRate,
        dropout,
        corruption: {
          noiseStandardDeviation: noise,
          maskingFraction: masking,
          brightnessJitter: brightness,
          ...(jpegShare > 0 ? { jpegShare, jpegQuality: [...jpegQuality] } : {}),
        },
        seed,
        loss,
      };
      options.onEvent?.({ status: 'epoch-end', epoch, epochs, loss, seconds: (performance.now() - started) / 1000 });
      await options.afterEpoch?.(epoch, hasher);
    }
  } finally {
    optimizer.dispose();
  }
  return { hasher, losses, epochsCompleted: aborted ? epoch : epochs, aborted, skipped };
}

/**
 * A copy of a batch's pixels in which a seeded `share` of the images went through a JPEG round trip at a quality drawn
 * from `quality` (the same images and qualities for the same seed).
 */
async function reencodeShare(
  pixels: Uint8Array,
  shape: { count: number; width: number; height: number; channels: ChannelCount },
  share: number,
  quality: readonly [number, number],
  seed: number,
): Promise<Uint8Array> {
  const { count, width, height, channels } = shape;
  const imageBytes = width * height * channels;
  const random = createSeededRandom(seed);
  const out = pixels.slice(0, count * imageBytes);
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const chosen = random() < share;
      const level = quality[0] + Math.floor(random() * (quality[1] - quality[0] + 1));
      if (!chosen) return;
      const image = { width, height, channels, data: out.subarray(index * imageBytes, (index + 1) * imageBytes) };
      out.set((await reencodeJpeg(image, level)).data, index * imageBytes);
    }),
  );
  return out;
}
