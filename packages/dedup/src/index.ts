export { DedupError, type DedupErrorOptions } from './errors/dedup-error';

export {
  defaultArchitecture,
  inputSizeOf,
  minimumInputDeviation,
  resolveArchitecture,
  type SemanticHasherArchitecture,
} from './hasher/semantic-hasher-architecture';
export {
  SemanticHasher,
  standardiseRows,
  type CreateSemanticHasherOptions,
  type SemanticHasherWeights,
} from './hasher/semantic-hasher';
export {
  defaultHasherTransform,
  recommendedTrainingImages,
  trainSemanticHasher,
  type CorruptionOptions,
  type TrainHasherEvent,
  type TrainSemanticHasherOptions,
  type TrainSemanticHasherResult,
} from './hasher/train-semantic-hasher';
export {
  hasherFileMagic,
  hasherFileVersion,
  loadSemanticHasher,
  saveSemanticHasher,
  type ExpectedHasher,
} from './hasher/hasher-file';

export type { HasherInputShape, ImageHasher } from './hash/image-hasher';
export { createExactPixelHasher } from './hash/exact-pixel-hasher';
export { createDifferenceHasher, type DifferenceHasherOptions } from './hash/difference-hasher';
export { shiftImage, shiftOffsets } from './hash/shift-probes';
export { mergeHashShards, type MergedHashShards } from './hash/merge-hash-shards';
export {
  hashShardStage,
  hashSource,
  type HashEvent,
  type HashSourceOptions,
  type SkippedSourceItem,
  type SourceHashes,
} from './hash/hash-source';

export {
  assertPackedCodes,
  codeBytesOf,
  hammingDistance,
  packThresholded,
  type PackedCodes,
} from './group/binary-code';
export {
  countGroupPairs,
  groupIndexOfItems,
  groupMembers,
  type DuplicateGroups,
  type GroupingStats,
  type VerificationStats,
} from './group/duplicate-groups';
export {
  defaultThumbnailChannels,
  defaultThumbnailSize,
  defaultVerification,
  makeThumbnail,
  minimumForegroundPixels,
  resolveVerification,
  thumbnailBackground,
  thumbnailDistance,
  verifyThumbnailPair,
  type Thumbnails,
  type VerificationOptions,
} from './group/thumbnails';
export { findDuplicateGroups, type CodesToGroup, type FindDuplicateGroupsOptions } from './group/find-duplicate-groups';

export {
  assertDropShareAccepted,
  buildDedupReport,
  checkDropShare,
  defaultMaximumDropShare,
  droppedIndices,
  readDedupReport,
  writeDedupReport,
  type DedupReport,
  type DropShareCheck,
  type ReportGroup,
  type ReportItem,
} from './report/dedup-report';
export { createDeduplicatedSource } from './report/deduplicated-source';
export { writeContactSheet, type ContactSheetOptions, type ContactSheetSummary } from './report/contact-sheet';

export {
  plantNearDuplicates,
  plantedKinds,
  type PlantedDuplicate,
  type PlantedKind,
  type PlantNearDuplicatesOptions,
} from './evaluation/plant-near-duplicates';
export { scoreDuplicatePairs, type PairScore } from './evaluation/score-duplicate-pairs';

export {
  defaultHasherEpochs,
  trainHasherFile,
  type HasherFileEvent,
  type TrainHasherFileOptions,
  type TrainHasherFileResult,
} from './pipeline/train-hasher-file';
export {
  createDedupReport,
  dedupRunDefaults,
  dedupRunFiles,
  type CreateDedupReportOptions,
  type CreatedDedupReport,
  type DedupRunEvent,
} from './pipeline/create-dedup-report';
