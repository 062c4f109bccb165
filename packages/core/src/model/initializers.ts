import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '@dcgan/common';

/** The paper's N(0, 0.02) weight initialiser, seeded per layer so models are reproducible. */
export function convolutionInitializer(seed: number, layerName: string) {
  return tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: deriveSeed(seed, layerName, 'kernel') });
}

/** Batch-norm scale N(1, 0.02), as in the authors' code and pytorch/examples. */
export function gammaInitializer(seed: number, layerName: string) {
  return tfl.initializers.randomNormal({ mean: 1, stddev: 0.02, seed: deriveSeed(seed, layerName, 'gamma') });
}

/** Batch norm as in PyTorch's defaults: running averages keep 0.9 of the old value, epsilon 1e-5. */
export const batchNormSettings = Object.freeze({ momentum: 0.9, epsilon: 1e-5, axis: -1 });
