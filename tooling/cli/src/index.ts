export { UsageError } from './usage-error';
export { describeError, exitCodes, runMain } from './run-main';
export { stopOnSignals, type SignalStop } from './stop-on-signals';
export { formatDuration, ProgressBar, type ProgressBarOptions } from './progress-bar';
export { currentThreadPoolSize, reexecWithThreadPool, trainingThreadPoolSize } from './thread-pool-size';
export { createTrainingOutput, formatTrainingSummary, type TrainingOutput } from './training-output';
export {
  datasetPaperMain,
  parsePaperArguments,
  positiveInteger,
  stepsFor,
  trainPreset,
  type DatasetPaperApp,
  type PaperArguments,
  type PaperSettings,
  type PresetRun,
} from './paper-preset';
