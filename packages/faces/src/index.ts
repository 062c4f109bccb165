export { FacesError } from './errors/faces-error';
export type { FaceBox } from './detector/face-box';
export {
  createFaceDetector,
  faceDetectorModels,
  type FaceDetector,
  type FaceDetectorModel,
  type FaceDetectorOptions,
} from './detector/face-detector';
export { faceApiModelDirectory } from './detector/load-face-api';
export { decodePhoto, defaultMaxPhotoPixels } from './photos/decode-photo';
export { listPhotos, photoExtensions } from './photos/list-photos';
export {
  rejectionReasons,
  selectFaces,
  type FaceDecision,
  type RejectionReason,
  type SelectFacesOptions,
} from './selection/select-faces';
export { buildFaceDataset, faceDatasetFiles } from './dataset/build-face-dataset';
export { faceShardStage, mergeFaceShards } from './dataset/face-shards';
export type { BuildFaceDatasetOptions, FaceDatasetSettings } from './dataset/face-dataset-options';
export type { FaceDatasetFiles, FaceDatasetSummary, UnreadablePhoto } from './dataset/face-dataset-summary';
export type { FaceDatasetTotals, FacesEvent } from './dataset/faces-event';
export { writeBoxesCsv, writeBoxesJson, type BoxesFileRow } from './dataset/boxes-file';
export type { JournalFace, JournalRecord } from './dataset/journal';
