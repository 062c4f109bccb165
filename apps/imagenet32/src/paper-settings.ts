import { UsageError } from './run-train-cli.js';

/**
 * The paper's ImageNet-1k run (Radford, Metz, Chintala 2015, section 4.2-5.1): the training images as 32x32
 * "min-resized center crops" (shorter side to 32, central 32x32), no augmentation, labels unused, mini-batches of
 * 128, Adam 0.0002 / 0.5 (dcgan-train's defaults). The paper gives no width for this model; its CIFAR-10 probe
 * concatenates D's layers max-pooled to 4x4 into 28,672 features, which for a 32px D of three conv layers
 * (W, 2W, 4W channels) means 16 x 7W = 28,672, W = 256: base width 256. It gives no epoch count either.
 */
export const imagenet32Settings = Object.freeze({
  format: 'folder',
  size: 32,
  channels: 3,
  baseWidth: 256,
  batchSize: 128,
  epochs: 5,
  seed: 1,
  sampleEvery: 500,
  checkpointEvery: 1000,
});

export interface ImagenetRunOptions {
  readonly data: string;
  readonly out: string;
  readonly imageCount: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly steps: number | undefined;
  readonly backend: string;
  readonly resume: boolean;
  readonly extra: readonly string[];
}

/** Steps for `epochs` passes over `imageCount` images in full batches. */
export function stepsFor(imageCount: number, batchSize: number, epochs: number): number {
  return epochs * Math.floor(imageCount / batchSize);
}

/** The exact `dcgan-train` arguments of a run; anything in `extra` comes last and so overrides. */
export function buildTrainArguments(options: ImagenetRunOptions): string[] {
  const settings = imagenet32Settings;
  const steps = options.steps ?? stepsFor(options.imageCount, options.batchSize, options.epochs);
  if (steps < 1) {
    throw new UsageError(`${options.data} holds ${options.imageCount} images, fewer than one batch of ${options.batchSize}; pass a smaller --batch-size`);
  }
  const common = ['--out', options.out, '--steps', String(steps), '--backend', options.backend];
  if (options.resume) return ['--resume', ...common, ...options.extra];
  return [
    '--data',
    options.data,
    '--format',
    settings.format,
    '--size',
    String(settings.size),
    '--channels',
    String(settings.channels),
    '--base-width',
    String(settings.baseWidth),
    '--batch-size',
    String(options.batchSize),
    '--seed',
    String(settings.seed),
    '--sample-every',
    String(settings.sampleEvery),
    '--checkpoint-every',
    String(settings.checkpointEvery),
    ...common,
    ...options.extra,
  ];
}
