export { LatentError, type LatentErrorOptions } from './errors/latent-error';
export {
  interpolate,
  interpolationPath,
  evenFractions,
  interpolationMethods,
  type InterpolationMethod,
  type InterpolationPathOptions,
} from './vectors/interpolate';
export {
  averageLatent,
  latentArithmetic,
  noisyNeighbours,
  turnVector,
  alongDirection,
  type NoisyNeighboursOptions,
} from './vectors/latent-arithmetic';
export { walkGrid, type WalkGridOptions, type LatentGrid } from './walk/walk-grid';
export {
  vectorArithmetic,
  arithmeticFigure,
  type VectorArithmeticOptions,
  type VectorArithmeticResult,
  type ImageFigure,
} from './arithmetic/vector-arithmetic';
export { turnWalk, type TurnWalkOptions, type TurnWalkResult } from './arithmetic/turn-walk';
export {
  fitLogisticRegression,
  type LogisticRegressionOptions,
  type LogisticRegressionModel,
} from './forget/logistic-regression';
export { parseBoxesFile, type BoxesFile, type ObjectBox } from './forget/object-boxes';
export {
  featureMapActivations,
  generateWithoutFeatureMaps,
  fitObjectFeatureMaps,
  cellsInBox,
  type FitObjectFeatureMapsOptions,
  type ObjectFeatureMaps,
} from './forget/forget-objects';
export { guidedBackprop, gradientsForDisplay, type GuidedBackpropOptions } from './visualize/guided-backprop';
export {
  visualizeDiscriminatorFeatures,
  type VisualizeDiscriminatorFeaturesOptions,
  type VisualizedFeature,
  type DiscriminatorFeatureVisualization,
} from './visualize/discriminator-features';
export { generatorShape, type GeneratorShape } from './model/generator-shape';
