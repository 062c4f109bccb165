export { UsageError } from './usage-error';
export { describeError, exitCodes, runMain } from './run-main';
export { runCommandLine } from './run-command-line';
export { choiceOption, integerOption, numberOption, parseOptions, type NumberRange } from './options';
export { backendOption } from './backend-option';
export { shardOption } from './shard-option';
export { printVersionIfAsked, versionText } from './version';
export { standardOptionsHelp } from './help';
export { runStoppable, stopOnSignals, stoppedBy, type SignalStop } from './stop-on-signals';
export { formatDuration, ProgressBar, type ProgressBarOptions } from './progress-bar';
export { currentThreadPoolSize, reexecWithThreadPool, trainingThreadPoolSize } from './thread-pool-size';
export { createTrainingOutput, formatTrainingSummary, type TrainingOutput } from './training-output';
export { dedupFolderName, runDedupStep, type DedupStepPlan, type PaperDedupSettings } from './dedup-step';
export {
  datasetPaperMain,
  paperOptionsHelp,
  parsePaperArguments,
  stepsFor,
  trainPreset,
  type DatasetPaperApp,
  type DedupChoice,
  type PaperArguments,
  type PaperSettings,
  type PresetRun,
} from './paper-preset';
