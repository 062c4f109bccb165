export { UsageError } from './usage-error';
export { describeError, exitCodes, runMain } from './run-main';
export { stopOnSignals, type SignalStop } from './stop-on-signals';
export { formatDuration, ProgressBar, type ProgressBarOptions } from './progress-bar';
export { currentThreadPoolSize, reexecWithThreadPool, trainingThreadPoolSize } from './thread-pool-size';
export { createTrainingOutput, formatTrainingSummary, type TrainingOutput } from './training-output';
export { dedupFolderName, runDedupStep, type DedupStepPlan, type PaperDedupSettings } from './dedup-step';
export {
  datasetPaperMain,
  parsePaperArguments,
  positiveInteger,
  stepsFor,
  trainPreset,
  type DatasetPaperApp,
  type DedupChoice,
  type PaperArguments,
  type PaperSettings,
  type PresetRun,
} from './paper-preset';
