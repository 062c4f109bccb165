// Platform-neutral entry: the linear SVM alone (no tfjs, no fs).
export { ProbeError, type ProbeErrorOptions } from './errors/probe-error';
export { FeatureMatrix } from './svm/feature-matrix';
export { automaticGramRowLimit, computeGramMatrix, type GramMatrix } from './svm/gram-matrix';
export {
  applyStandardization,
  fitStandardization,
  foldStandardization,
  type Standardization,
} from './svm/standardization';
export {
  resolveLinearSvmOptions,
  type LinearSvmOptions,
  type ResolvedLinearSvmOptions,
  type SvmEvent,
} from './svm/linear-svm-options';
export {
  decisionFunction,
  errorRate,
  prefersGram,
  predictLinearSvm,
  squaredHingeObjective,
  trainLinearSvm,
  type ClassifierReport,
  type LinearSvmModel,
} from './svm/linear-svm';
