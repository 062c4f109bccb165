export { train, resumeTraining } from './train';
export {
  defaultTargets,
  type ResumeOptions,
  type RunTargets,
  type TrainControl,
  type TrainOptions,
  type WasmThreadsOption,
} from './train-options';
export type { StopReason, TrainEvent, TrainSummary } from './train-events';
export { readRunRecord, type RunRecord } from './run-directory';
export { TrainError } from './errors/train-error';
export {
  MetricsCollector,
  parseMetrics,
  readMetricsFile,
  type MetricsFile,
  type StepMetrics,
} from './metrics/metrics-record';
export {
  createEventFileWriter,
  eventFilePrefix,
  type EventFileWriter,
  type EventFileWriterOptions,
  type EventImageSize,
} from './tensorboard/event-file-writer';
export { sampleImageTag, trainingScalars, trainingScalarTags } from './tensorboard/training-scalars';
export { curvePanels, drawCurves, renderCurvesPng, type CurveSeries, type CurvesOptions } from './curves/draw-curves';
export { createCurvesWriter, writeCurvesFile, type CurvesWriter, type WrittenCurves } from './curves/write-curves';
export { qualityFileName, type QualityOptions, type QualityRecord, type QualitySettings } from './quality';
