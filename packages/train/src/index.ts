export { train, resumeTraining } from './train';
export {
  defaultTargets,
  type ResumeOptions,
  type RunTargets,
  type TrainControl,
  type TrainOptions,
} from './train-options';
export type { StopReason, TrainEvent, TrainSummary } from './train-events';
export { readRunRecord, type RunRecord } from './run-directory';
export { TrainError } from './train-error';
export { qualityFileName, type QualityOptions, type QualityRecord, type QualitySettings } from './quality';
