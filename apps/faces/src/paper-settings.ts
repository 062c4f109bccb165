import { UsageError } from './run-train-cli.js';

/**
 * The paper's faces run (Radford, Metz, Chintala 2015, section 4.2): about 350,000 face boxes found by a face
 * detector in web photos of 10,000 people, trained at 64x64 with the same model and optimiser as LSUN (figure-1
 * generator, base width 128; batches of 128; Adam 0.0002 / 0.5), no augmentation. The paper gives no epoch count.
 */
export const facesSettings = Object.freeze({
  format: 'folder',
  size: 64,
  channels: 3,
  baseWidth: 128,
  batchSize: 128,
  epochs: 5,
  margin: 0.25,
  seed: 1,
  sampleEvery: 500,
  checkpointEvery: 1000,
});

export interface FacesRunOptions {
  /** The folder of prepared crops. */
  readonly crops: string;
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
export function buildTrainArguments(options: FacesRunOptions): string[] {
  const settings = facesSettings;
  const steps = options.steps ?? stepsFor(options.imageCount, options.batchSize, options.epochs);
  if (steps < 1) {
    throw new UsageError(`${options.crops} holds ${options.imageCount} face crops, fewer than one batch of ${options.batchSize}; pass a smaller --batch-size`);
  }
  const common = ['--out', options.out, '--steps', String(steps), '--backend', options.backend];
  if (options.resume) return ['--resume', ...common, ...options.extra];
  return [
    '--data',
    options.crops,
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
