import { UsageError } from './run-train-cli.js';

/**
 * The paper's LSUN bedrooms run (Radford, Metz, Chintala 2015, sections 3-4.1): 64x64 RGB images, the figure-1
 * generator (4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3, i.e. base width 128), mini-batches of
 * 128, Adam with learning rate 0.0002 and beta1 0.5 (dcgan-train's defaults), images scaled to [-1, 1] and no
 * other preprocessing than resizing the shorter side to 64 and centre cropping. Figure 2 shows samples after one
 * epoch, figure 3 after five.
 */
export const lsunBedroomsSettings = Object.freeze({
  format: 'lmdb',
  size: 64,
  channels: 3,
  baseWidth: 128,
  batchSize: 128,
  epochs: 5,
  seed: 1,
  sampleEvery: 500,
  checkpointEvery: 1000,
});

export interface LsunRunOptions {
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
export function buildTrainArguments(options: LsunRunOptions): string[] {
  const settings = lsunBedroomsSettings;
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
