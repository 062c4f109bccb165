import { generatorFeatureLayer } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mulberry32 } from '@dcgan/common';
import { LatentError } from '../errors/latent-error';
import { finiteAtLeast, latentMatrix, validSeed } from '../errors/validate';
import { generatorShape } from '../model/generator-shape';
import { chainIndex, layerChain, runChain } from '../model/layer-chain';
import { derivedSeed } from '../vectors/derived-seed';
import { fitLogisticRegression, type LogisticRegressionOptions } from './logistic-regression';
import type { ObjectBox } from './object-boxes';

/**
 * The activations of the generator's second-highest convolution layer (`generatorFeatureLayer` of
 * `@dcgan/core`: `g_relu2`, the block after the projection, 8x8x512 in the paper's figure 1), or of the
 * `g_relu{i}` layer named by `layer`; `[count, h, w, maps]`, in inference mode. The caller owns the result.
 *
 * @example
 * ```ts
 * const activations = featureMapActivations(generator, z); // [n, 8, 8, 128] for a 32px, width-32 model
 * ```
 */
export function featureMapActivations(generator: tfl.LayersModel, z: tf.Tensor2D, layer?: string): tf.Tensor4D {
  const { latentDim } = generatorShape(generator);
  latentMatrix(z, 'z', 1, latentDim);
  const layers = layerChain(generator, 'generator');
  const featureIndex = chainIndex(layers, featureLayerOf(generator, layer).name, 'generator');
  return tf.tidy(() => runChain(layers, z, 0, featureIndex) as tf.Tensor4D);
}

/** `generatorFeatureLayer`, with its error as this package's. */
function featureLayerOf(
  generator: tfl.LayersModel,
  layer: string | undefined,
): ReturnType<typeof generatorFeatureLayer> {
  try {
    return generatorFeatureLayer(generator, layer);
  } catch (error) {
    throw new LatentError((error as Error).message, { cause: error });
  }
}

/**
 * Renders `z` with the given feature maps of the second-highest conv layer (or of `layer`) set to zero at every
 * spatial position (paper, section 6.3.1: "all feature maps with weights greater than zero were dropped
 * from all spatial locations"); the rest of the generator is unchanged. With no maps dropped this is
 * `generate(generator, z)`. The caller owns the result, `[count, size, size, channels]` in [-1, 1].
 *
 * @example
 * ```ts
 * const withoutWindows = generateWithoutFeatureMaps(generator, z, classifier.droppedMaps);
 * ```
 */
export function generateWithoutFeatureMaps(
  generator: tfl.LayersModel,
  z: tf.Tensor2D,
  maps: readonly number[],
  layer?: string,
): tf.Tensor4D {
  const { latentDim } = generatorShape(generator);
  latentMatrix(z, 'z', 1, latentDim);
  const layers = layerChain(generator, 'generator');
  const featureLayer = featureLayerOf(generator, layer);
  const featureIndex = chainIndex(layers, featureLayer.name, 'generator');
  const mapCount = (featureLayer.outputShape as number[]).at(-1)!;
  if (!Array.isArray(maps))
    throw new LatentError(`Expected \`maps\` to be an array of feature map indices, got \`${String(maps)}\``);
  for (const map of maps) {
    if (!Number.isInteger(map) || map < 0 || map >= mapCount) {
      throw new LatentError(
        `Expected every feature map index to be an integer in 0..${mapCount - 1} (layer \`${featureLayer.name}\`), got \`${String(map)}\``,
      );
    }
  }
  const keep = new Float32Array(mapCount).fill(1);
  for (const map of maps) keep[map] = 0;
  return tf.tidy(() => {
    const features = runChain(layers, z, 0, featureIndex);
    const masked = tf.mul(features, tf.tensor1d(keep));
    return runChain(layers, masked, featureIndex + 1, layers.length - 1) as tf.Tensor4D;
  });
}

/** Options of {@link fitObjectFeatureMaps}. */
export interface FitObjectFeatureMapsOptions extends LogisticRegressionOptions {
  /**
   * Negatives drawn per positive, at random feature positions of the same image that lie outside all
   * of its boxes (so that no position is labelled both ways); fewer when the image has fewer.
   * @default 1
   */
  readonly negativesPerPositive?: number;
  /**
   * Seed of the negative positions.
   * @default 1
   */
  readonly seed?: number;
  /**
   * The generator layer whose maps are classified (a `g_relu{i}` name).
   * @default 'g_relu2', the paper's "second highest convolution layer"
   */
  readonly layer?: string;
}

/** The classifier of {@link fitObjectFeatureMaps} and the maps it says to drop. */
export interface ObjectFeatureMaps {
  /** The layer whose maps were classified. */
  readonly layerName: string;
  /** Feature maps (channels) of that layer. */
  readonly mapCount: number;
  /** Side of the layer's feature grid (`h = w`). */
  readonly featureSize: number;
  /** One logistic-regression weight per feature map. */
  readonly weights: readonly number[];
  readonly bias: number;
  /** Maps with weight > 0, strongest first: the ones to drop. */
  readonly droppedMaps: readonly number[];
  /** Feature positions labelled "object". */
  readonly positives: number;
  /** Feature positions labelled "not object" (random ones and those in negative boxes). */
  readonly negatives: number;
  /** Of `negatives`, those inside boxes marked `negative`. */
  readonly boxedNegatives: number;
  readonly trainingAccuracy: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Cells of an `featureSize x featureSize` grid inside a box given in image pixels: those whose centre
 * lies in the box; a box too small to hold any centre gets the cell under its own centre.
 */
export function cellsInBox(box: ObjectBox, imageSize: number, featureSize: number): number[] {
  const scale = imageSize / featureSize;
  const cells: number[] = [];
  for (let row = 0; row < featureSize; row++) {
    const centerY = (row + 0.5) * scale;
    if (centerY < box.y || centerY >= box.y + box.height) continue;
    for (let column = 0; column < featureSize; column++) {
      const centerX = (column + 0.5) * scale;
      if (centerX >= box.x && centerX < box.x + box.width) cells.push(row * featureSize + column);
    }
  }
  if (cells.length === 0) {
    const row = Math.min(featureSize - 1, Math.floor((box.y + box.height / 2) / scale));
    const column = Math.min(featureSize - 1, Math.floor((box.x + box.width / 2) / scale));
    cells.push(row * featureSize + column);
  }
  return cells;
}

/**
 * The paper's object forgetting, first half (section 6.3.1): on the second-highest conv layer's
 * activations of generated samples, fit a logistic regression that tells feature positions inside the
 * drawn boxes (positives) from random positions of the same images (negatives), one input per feature
 * map; the maps with positive weight are the object's. Boxes marked `negative` add their positions as
 * negatives (the rest of a drawing, say), and `negativesPerPositive: 0` then uses those alone. Render without them with
 * {@link generateWithoutFeatureMaps}.
 *
 * @example
 * ```ts
 * const z = sampleLatent(file.count, 100, file.seed);
 * const found = await fitObjectFeatureMaps(generator, z, file.boxes);
 * const forgotten = generateWithoutFeatureMaps(generator, sampleLatent(16, 100, 99), found.droppedMaps, found.layerName);
 * ```
 */
export async function fitObjectFeatureMaps(
  generator: tfl.LayersModel,
  z: tf.Tensor2D,
  boxes: readonly ObjectBox[],
  options: FitObjectFeatureMapsOptions = {},
): Promise<ObjectFeatureMaps> {
  const { latentDim, imageSize } = generatorShape(generator);
  latentMatrix(z, 'z', 1, latentDim);
  const negativesPerPositive = finiteAtLeast(options.negativesPerPositive ?? 1, 'negativesPerPositive', 0);
  const random = mulberry32(derivedSeed(validSeed(options.seed ?? 1), 'negatives'));
  if (!Array.isArray(boxes) || boxes.length === 0) throw new LatentError('Expected at least one box, got none');
  const bySample = new Map<number, ObjectBox[]>();
  for (const box of boxes) {
    if (!Number.isInteger(box.sample) || box.sample < 0 || box.sample >= z.shape[0]) {
      throw new LatentError(
        `Expected every box's \`sample\` to be in 0..${z.shape[0] - 1} (rows of \`z\`), got \`${String(box.sample)}\``,
      );
    }
    bySample.set(box.sample, [...(bySample.get(box.sample) ?? []), box]);
  }
  const samples = [...bySample.keys()].sort((a, b) => a - b);
  const layerName = featureLayerOf(generator, options.layer).name;
  const activations = tf.tidy(() => featureMapActivations(generator, tf.gather(z, samples) as tf.Tensor2D, layerName));
  const [, featureSize, , mapCount] = activations.shape as [number, number, number, number];
  const values = await activations.data();
  activations.dispose();

  const rows: number[] = [];
  const labels: number[] = [];
  const addRow = (sampleIndex: number, cell: number, label: number) => {
    const offset = (sampleIndex * featureSize * featureSize + cell) * mapCount;
    for (let map = 0; map < mapCount; map++) rows.push(values[offset + map]!);
    labels.push(label);
  };
  let positives = 0;
  let negatives = 0;
  let boxedNegatives = 0;
  samples.forEach((sample, sampleIndex) => {
    const inside = new Set<number>();
    const marked = new Set<number>();
    for (const box of bySample.get(sample)!) {
      for (const cell of cellsInBox(box, imageSize, featureSize)) (box.negative === true ? marked : inside).add(cell);
    }
    for (const cell of inside) addRow(sampleIndex, cell, 1);
    // A cell in both kinds of box counts as the object.
    const markedOnly = [...marked].filter((cell) => !inside.has(cell));
    for (const cell of markedOnly) addRow(sampleIndex, cell, 0);
    boxedNegatives += markedOnly.length;
    negatives += markedOnly.length;
    const outside = Array.from({ length: featureSize * featureSize }, (_, cell) => cell).filter(
      (cell) => !inside.has(cell) && !marked.has(cell),
    );
    const wanted = Math.min(outside.length, Math.round(inside.size * negativesPerPositive));
    for (let pick = 0; pick < wanted; pick++) {
      const swap = pick + Math.floor(random() * (outside.length - pick));
      [outside[pick], outside[swap]] = [outside[swap]!, outside[pick]!];
      addRow(sampleIndex, outside[pick]!, 0);
    }
    positives += inside.size;
    negatives += wanted;
  });
  if (positives === 0) throw new LatentError('Found no object positions: every box is marked `negative`');
  if (negatives === 0)
    throw new LatentError(
      'Found no negative positions: every box covers its whole image, or `negativesPerPositive` is 0 and no box is marked `negative`',
    );
  const model = fitLogisticRegression(rows, labels, mapCount, options);
  const weights = Array.from(model.weights);
  const droppedMaps = weights
    .map((weight, map) => ({ weight, map }))
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .map((entry) => entry.map);
  return {
    layerName,
    mapCount,
    featureSize,
    weights,
    bias: model.bias,
    droppedMaps,
    positives,
    negatives,
    boxedNegatives,
    trainingAccuracy: model.trainingAccuracy,
    iterations: model.iterations,
    converged: model.converged,
  };
}
