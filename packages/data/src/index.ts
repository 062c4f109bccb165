export { DataError } from './errors/data-error';
export { assertRawImage, type ChannelCount, type RawImage } from './image/raw-image';
export { encodePng, writePng } from './image/encode-png';
export { writeFileAtomic } from '@dcgan/common/node';
export { composeImageGrid, floatsToImages, writeImageGrid, type ImageGridOptions } from './image/image-grid';
export { createPermutation, createSeededRandom, mixSeed } from '@dcgan/common';
export type { Sample } from './source/sample';
export {
  isEncodedImage,
  type EncodedImage,
  type ImageSource,
  type ItemPayload,
  type PixelRegion,
  type SourceItem,
} from './source/image-source';
export type { DataEvent, DataEventListener, EpochReport, SkippedItem } from './source/events';
export { defineSource, type LabelledImageSource, type SourceDefinition } from './source/define-source';
export { iterateSamples, type IterateSamplesOptions, type SampleStream } from './source/iterate-samples';
export {
  centerCrop,
  centerCropThenResize,
  horizontalFlip,
  pad,
  resize,
  resizeShortestSide,
  resizeThenCenterCrop,
  toGrayscale,
  toRgb,
  type ImageTransform,
  type TransformStep,
} from './transform/transform-step';
export { applyTransform, squareRegionWithMargin, type TransformContext } from './transform/apply-transform';
export type { Batch } from './batch/batch';
export { createBatches, type BatchOptions, type BatchStream } from './batch/create-batches';
export { batchToTensor } from './batch/batch-to-tensor';
export { createMemorySource, type MemorySourceOptions } from './sources/memory-source';
export { openMnistPackage, type MnistPackageOptions } from './sources/mnist-package-source';
export { openImageFolder, type ImageFolderOptions, type ImageFolderSource } from './sources/image-folder-source';
export { openLmdbImages, formatLmdbKey, type LmdbImagesOptions } from './sources/lmdb-source';
export {
  checkLmdbExportShards,
  exportLmdbToFolder,
  imageExtensionOf,
  lmdbExportShardStage,
  type ExportLmdbOptions,
  type ExportLmdbResult,
} from './sources/export-lmdb-to-folder';
export { openCifar, type CifarOptions } from './sources/cifar-source';
export { openSvhn, type SvhnOptions } from './sources/svhn-source';
export { openIdx, type IdxOptions } from './sources/idx-source';
export { openFaceCrops, type FaceCropsOptions } from './sources/face-crops-source';
export {
  datasetFormats,
  guessFormat,
  isDatasetFormat,
  openDataset,
  type DatasetFormat,
  type OpenDatasetOptions,
  type OpenedDataset,
} from './sources/open-dataset';
export { LmdbReader, type LmdbEntry, type LmdbReaderOptions } from './formats/lmdb-reader';
export { MatFile, type MatClass, type MatVariable } from './formats/mat-v5';
export { parseIdx, readIdxFile, type IdxArray } from './formats/idx';
export { readFaceBoxes, type FaceBox } from './formats/face-boxes';
export { readAllLabels, subsetSource } from './split/subset-source';
export {
  sampleStratified,
  splitSource,
  type SourceSplit,
  type SplitOptions,
  type StratifiedOptions,
  type StratifiedSample,
} from './split/split-source';
export {
  createShardCache,
  openShardCache,
  shardCacheStage,
  type ShardCacheOptions,
  type ShardCacheSource,
} from './cache/shard-cache';
export { mergeShardCaches } from './cache/merge-shard-caches';
// The JPEG fast path lives in @dcgan/jpeg; these stay exported here as before.
export {
  configureJpegDecoding,
  createJpegDecoder,
  createResampler,
  jpegDecodingStats,
  type JpegDecoder,
  type JpegDecodeResult,
  type JpegDecodingOptions,
  type JpegHeaderResult,
  type JpegWorkerStats,
  type Resample,
  type ScaledJpeg,
} from '@dcgan/jpeg';
export {
  formatShard,
  isInShard,
  isWholeDataset,
  parseShard,
  resolveShard,
  shardDirectory,
  shardEnvironmentVariables,
  shardFolderName,
  shardFromEnvironment,
  shardItemCount,
  shardItemPosition,
  shardSource,
  wholeDataset,
  type Shard,
} from './shard/shard-assignment';
export {
  collectShards,
  mergeByPosition,
  readShardManifest,
  shardManifestName,
  writeShardManifest,
  type CollectedShard,
  type ShardManifest,
} from './shard/shard-manifest';
