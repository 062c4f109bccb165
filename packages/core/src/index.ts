export { DcganError, CheckpointError, type DcganErrorOptions, type CheckpointErrorOptions } from './errors/index';
export {
  dcganParameterCount,
  resolveDcganConfig,
  type DcganConfig,
  type DcganConfigOptions,
  type DcganParameterCount,
} from './model/dcgan-config';
export { dcganPresets, type DcganPresetName } from './model/presets';
export { createGenerator, type ModelOptions } from './model/generator';
export { createDiscriminator, leakyReluSlope } from './model/discriminator';
export { layerNames } from './model/layer-names';
export {
  discriminatorFeatureLayers,
  discriminatorFeatureModel,
  generatorFeatureLayer,
  countTrainableParameters,
} from './model/feature-layers';
export { sampleLatent } from './sampling/sample-latent';
export { generate, type GenerateOptions } from './sampling/generate';
export { imageGrid, sampleGrid, type ImageGrid, type ImageGridOptions } from './sampling/image-grid';
export { symmetricEigen, type SymmetricEigen } from './quality/symmetric-eigen';
export type { FeatureMatrix } from './quality/feature-matrix';
export { featureStatistics, frechetDistance, type FeatureStatistics } from './quality/frechet-distance';
export { kernelDistance, type KernelDistance, type KernelDistanceOptions } from './quality/kernel-distance';
export {
  createFeatureExtractor,
  type FeatureExtractor,
  type FeatureExtractorOptions,
  type GraphModelLike,
} from './quality/feature-extractor';
export {
  createFidEvaluator,
  type FidEvaluator,
  type FidEvaluatorOptions,
  type QualityScores,
  type ImageSourceForQuality,
} from './quality/fid-evaluator';
export { discriminatorLoss, generatorLoss } from './training/losses';
export { adamUpdateKernelName, applyAdamGradients, type AdamUpdateAttributes } from './training/adam-update';
export { resolveTrainerOptions, type TrainerOptions, type ResolvedTrainerOptions } from './training/trainer-options';
export type {
  TrainerEvent,
  TrainerListener,
  TrainerStepResult,
  TrainerStepEvent,
  TrainerSampleEvent,
  TrainerCheckpointEvent,
  TrainerEpochEvent,
} from './training/trainer-events';
export type { TrainerState, TensorData } from './training/trainer-state';
export { Trainer } from './training/trainer';
