export { TrainError } from './errors/train-error';
export { MetricsCollector, parseMetrics, readMetricsFile, type MetricsFile, type StepMetrics } from './metrics/metrics-record';
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
