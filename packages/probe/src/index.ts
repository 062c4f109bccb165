export * from './svm';
export { float16BitsToFloat32, float32ToFloat16Bits, decodeFloat16, encodeFloat16 } from './features/float16';
export {
  discriminatorFeatureDimension,
  discriminatorFeatureLayout,
  paperDimensionConfig,
  paperFeatureDimension,
  type FeatureLayerLayout,
  type FeatureLayout,
} from './features/feature-layout';
export { createPixelExtractor, type FeatureExtractor } from './features/feature-extractor';
export {
  batchNormLayers,
  computeBatchNormStatistics,
  setBatchNormStatistics,
  type BatchNormLayerStatistics,
  type BatchNormStatistics,
  type BatchNormStatisticsOptions,
} from './features/batch-norm-statistics';
export {
  copyModel,
  createDiscriminatorExtractor,
  modelFingerprint,
  type DiscriminatorExtractor,
  type DiscriminatorExtractorOptions,
} from './features/discriminator-extractor';
export { poolToGrid } from './features/pool-to-grid';
export type { ProbeImages } from './features/probe-images';
export type { FeatureEvent, FeatureEventListener } from './features/feature-events';
export { extractFeatures, type ExtractFeaturesOptions } from './features/extract-features';
export { featureShardStage, mergeFeatureShards, shardProbeImages } from './features/feature-shards';
export {
  readFeatureStore,
  readFeatureStoreManifest,
  type FeatureChunkRecord,
  type FeatureStorageType,
  type FeatureStoreManifest,
  type StoredFeatures,
} from './features/feature-store';
export {
  createDiscriminatorClassifier,
  predictSupervisedCnn,
  trainSupervisedCnn,
  type LabelledPixels,
  type SupervisedCnn,
  type SupervisedEpochReport,
  type SupervisedTrainingOptions,
} from './baselines/supervised-cnn';
export {
  sampleSupervisedSettings,
  searchSupervisedCnn,
  type SupervisedSearch,
  type SupervisedSearchOptions,
  type SupervisedSettings,
  type SupervisedTrial,
} from './baselines/supervised-search';
export { drawPerClass, positionsByClass, stratifiedSplit } from './protocol/stratified-split';
export { defaultCosts, type LinearProbeOptions, type ProbeMethod } from './protocol/linear-probe-options';
export { runLinearProbe, standardProbeMethods } from './protocol/run-linear-probe';
export {
  extractProbeFeatureShard,
  mergeProbeFeatureShards,
  probeFeatureShardStage,
  type ProbeFeatureMergeResult,
  type ProbeFeatureShardResult,
} from './protocol/probe-feature-shards';
export type { ProbeEvent, ProbeEventListener } from './protocol/probe-events';
export {
  formatProbeTable,
  meanAndDeviation,
  type CostSearchEntry,
  type ProbeMethodResult,
  type ProbeReport,
} from './protocol/probe-report';
