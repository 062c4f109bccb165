import { DcganError } from '@dcgan/common';
import { resolveDcganConfig, type DcganConfig, type DcganConfigOptions } from '../model/dcgan-config';
import { validateSeed } from '../model/seed';

/** Options of a {@link Trainer}. Defaults are the paper's (section 3). */
export interface TrainerOptions {
  /** Model architecture, e.g. one of {@link dcganPresets}. */
  readonly config: DcganConfigOptions;
  /**
   * Real images per step that the data pipeline should feed (the trainer draws as many fakes as it is
   * given real images, so a short last batch works). Stored in checkpoints so a resumed run batches alike.
   * @default 128
   */
  readonly batchSize?: number;
  /**
   * Adam learning rate of both networks.
   * @default 0.0002
   */
  readonly learningRate?: number;
  /**
   * Adam beta1 (momentum term); the paper lowers it from 0.9 to 0.5 for stability.
   * @default 0.5
   */
  readonly beta1?: number;
  /**
   * Adam beta2.
   * @default 0.999
   */
  readonly beta2?: number;
  /**
   * Adam epsilon (PyTorch's default; fixed rather than backend-dependent so runs and checkpoints agree
   * across backends).
   * @default 1e-8
   */
  readonly epsilon?: number;
  /**
   * Run seed: weight initialisation, each step's noise (derived from seed and step number, so a resumed
   * run draws exactly what an uninterrupted one would) and the fixed sample noise.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Number of fixed latent vectors behind {@link Trainer.sample}'s grid.
   * @default 64
   */
  readonly sampleCount?: number;
}

/** {@link TrainerOptions} validated, with every default filled in. */
export interface ResolvedTrainerOptions {
  readonly config: DcganConfig;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly seed: number;
  readonly sampleCount: number;
}

const knownKeys: ReadonlySet<string> = new Set([
  'config',
  'batchSize',
  'learningRate',
  'beta1',
  'beta2',
  'epsilon',
  'seed',
  'sampleCount',
]);

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new DcganError(`Expected \`${name}\` to be a positive integer, got \`${String(value)}\``);
  }
  return value;
}

function inOpenInterval(value: unknown, name: string, low: number, high: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= low || value >= high) {
    throw new DcganError(`Expected \`${name}\` to be a number in (${low}, ${high}), got \`${String(value)}\``);
  }
  return value;
}

/**
 * Validates trainer options and fills in the paper's defaults.
 *
 * @example
 * ```ts
 * resolveTrainerOptions({ config: dcganPresets.dcgan32 }).learningRate; // 0.0002
 * ```
 */
export function resolveTrainerOptions(options: TrainerOptions): ResolvedTrainerOptions {
  if (options == null || typeof options !== 'object') {
    throw new DcganError(`Expected trainer options to be an object, got \`${String(options)}\``);
  }
  for (const key of Object.keys(options)) {
    if (!knownKeys.has(key)) {
      throw new DcganError(
        `Unknown trainer option \`${key}\`; expected one of ${[...knownKeys].map((name) => `\`${name}\``).join(', ')}`,
      );
    }
  }
  return Object.freeze({
    config: resolveDcganConfig(options.config),
    batchSize: positiveInteger(options.batchSize ?? 128, 'batchSize'),
    learningRate: inOpenInterval(options.learningRate ?? 2e-4, 'learningRate', 0, Number.POSITIVE_INFINITY),
    beta1: inOpenInterval(options.beta1 ?? 0.5, 'beta1', 0, 1),
    beta2: inOpenInterval(options.beta2 ?? 0.999, 'beta2', 0, 1),
    epsilon: inOpenInterval(options.epsilon ?? 1e-8, 'epsilon', 0, 1),
    seed: validateSeed(options.seed ?? 1),
    sampleCount: positiveInteger(options.sampleCount ?? 64, 'sampleCount'),
  });
}
