export {
  saveCheckpoint,
  loadCheckpoint,
  readCheckpointInfo,
  checkpointManifestName,
  type SavedCheckpoint,
  type CheckpointInfo,
  type LoadCheckpointOptions,
} from './node/checkpoint';
export { exportGenerator, loadGenerator, type ExportedGenerator } from './node/generator-export';
export {
  digitsFeatureModelDirectory,
  digitsFeatureLayer,
  loadDigitsFeatureModel,
  createDigitsFidEvaluator,
  type DigitsFidEvaluatorOptions,
} from './node/digits-feature-model';
