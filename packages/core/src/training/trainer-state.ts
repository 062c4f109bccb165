import type { ResolvedTrainerOptions } from './trainer-options';

/** One tensor's values, detached from any backend. */
export interface TensorData {
  /** Weight name (`g_bn1/gamma`) or optimizer slot name. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}

/**
 * Everything needed to continue a run exactly: options (config, seeds, hyper-parameters), counters,
 * both models' weights (batch-norm running statistics included) and both Adam optimizers' state
 * (`optimizer.getWeights()`: the iteration count, then first moments, then second moments; then the
 * running bias-correction products `accBeta1` and `accBeta2`, float32 scalars, which resume needs to be
 * exact and which states from @dcgan/core 0.1.0 lack).
 * Platform-neutral; `@dcgan/core/node` writes it to disk.
 */
export interface TrainerState {
  readonly options: ResolvedTrainerOptions;
  readonly completedSteps: number;
  readonly epoch: number;
  readonly generator: readonly TensorData[];
  readonly discriminator: readonly TensorData[];
  readonly generatorOptimizer: readonly TensorData[];
  readonly discriminatorOptimizer: readonly TensorData[];
}

/** The four tensor groups of a {@link TrainerState}, in storage order. */
export const trainerStateGroups = [
  'generator',
  'discriminator',
  'generatorOptimizer',
  'discriminatorOptimizer',
] as const;

/** Name of one of {@link trainerStateGroups}. */
export type TrainerStateGroup = (typeof trainerStateGroups)[number];
