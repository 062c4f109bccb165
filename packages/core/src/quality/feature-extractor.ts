import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DcganError } from '@dcgan/common';
import type { FeatureMatrix } from './feature-matrix';

/**
 * The part of a tfjs-converter `GraphModel` (`tf.loadGraphModel`) that feature extraction uses, so this package
 * needs no dependency on tfjs-converter.
 */
export interface GraphModelLike {
  readonly inputs: ReadonlyArray<{ readonly shape?: readonly number[] }>;
  execute(inputs: tf.Tensor, outputs: string): tf.Tensor | tf.Tensor[];
}

/** Options of {@link createFeatureExtractor}. */
export interface FeatureExtractorOptions {
  /** A tfjs layers model (`tf.loadLayersModel`) or graph model (`tf.loadGraphModel`). */
  readonly model: tfl.LayersModel | GraphModelLike;
  /** Name of the layer (layers model) or graph node (graph model) whose output is the feature vector. */
  readonly layer: string;
  /**
   * How an output with spatial dimensions (`[n, h, w, c]`) becomes a vector: the mean over positions (as
   * Inception's pool3) or all values flattened. Outputs of shape `[n, c]` are used as they are.
   * @default 'average'
   */
  readonly pooling?: 'average' | 'flatten';
  /**
   * Images per forward pass.
   * @default 64
   */
  readonly batchSize?: number;
  /**
   * Maps a batch of images (as given to `extract`) to the model's input; runs inside `tf.tidy`.
   * @default resize (bilinear) to the model's input height and width when they differ, and gray <-> RGB by
   *   repeating or averaging channels; values are passed through (DCGAN images are in [-1, 1])
   */
  readonly preprocess?: (images: tf.Tensor4D) => tf.Tensor4D;
}

/** Turns images into feature rows with a model's named layer. */
export interface FeatureExtractor {
  /** Features of `images` (`[n, h, w, c]`), computed in batches; does not dispose `images`. */
  extract(images: tf.Tensor4D): Promise<FeatureMatrix>;
}

const isLayersModel = (model: tfl.LayersModel | GraphModelLike): model is tfl.LayersModel =>
  typeof (model as tfl.LayersModel).getLayer === 'function';

/**
 * Features for FID/KID from any tfjs model and the layer you name: the digits classifier that ships with
 * `@dcgan/core/node`, a converted Inception-v3 graph model (pytorch-fid's `pool_3`), or your own.
 *
 * @example
 * ```ts
 * const extractor = createFeatureExtractor({ model: await tf.loadLayersModel(url), layer: 'features' });
 * const features = await extractor.extract(images); // { rows, columns, values }
 * ```
 */
export function createFeatureExtractor(options: FeatureExtractorOptions): FeatureExtractor {
  const { model, layer } = options;
  const pooling = options.pooling ?? 'average';
  if (pooling !== 'average' && pooling !== 'flatten')
    throw new DcganError(`Expected \`pooling\` to be 'average' or 'flatten', got \`${String(pooling)}\``);
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new DcganError(`Expected \`batchSize\` to be a positive integer, got \`${String(batchSize)}\``);
  const inputShape = (isLayersModel(model) ? model.inputs[0]?.shape : model.inputs[0]?.shape) ?? [];
  const preprocess = options.preprocess ?? ((images: tf.Tensor4D) => fitToInput(images, inputShape));
  let run: (batch: tf.Tensor4D) => tf.Tensor;
  if (isLayersModel(model)) {
    let target: tfl.layers.Layer;
    try {
      target = model.getLayer(layer);
    } catch (error) {
      const names = model.layers.map((entry) => entry.name).join(', ');
      throw new DcganError(
        `Expected \`layer\` to name a layer of model \`${model.name}\` (${names}), got \`${layer}\``,
        { cause: error },
      );
    }
    // Shares the model's weights; owns none of its own.
    const subModel = tfl.model({
      inputs: model.inputs,
      outputs: target.output as tfl.SymbolicTensor,
      name: `${model.name}_features`,
    });
    run = (batch) => subModel.predict(batch) as tf.Tensor;
  } else {
    run = (batch) => {
      let output: tf.Tensor | tf.Tensor[];
      try {
        output = model.execute(batch, layer);
      } catch (error) {
        throw new DcganError(`Cannot read node \`${layer}\` of the graph model: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (Array.isArray(output))
        throw new DcganError(`Expected node \`${layer}\` to give one tensor, got ${output.length}`);
      return output;
    };
  }
  return {
    async extract(images) {
      if (images.rank !== 4)
        throw new DcganError(`Expected images of shape [n, height, width, channels], got [${images.shape.join(', ')}]`);
      const count = images.shape[0];
      let values: Float32Array | undefined;
      let columns = 0;
      for (let start = 0; start < count; start += batchSize) {
        const size = Math.min(batchSize, count - start);
        const rows = tf.tidy(() => {
          const output = run(preprocess(tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1])));
          if (output.rank === 2) return output as tf.Tensor2D;
          if (output.rank < 2)
            throw new DcganError(
              `Expected layer \`${layer}\` to give [n, features] or [n, ..., channels], got shape [${output.shape.join(', ')}]`,
            );
          return pooling === 'flatten'
            ? tf.reshape(output, [size, -1])
            : tf.mean(
                output,
                Array.from({ length: output.rank - 2 }, (_, axis) => axis + 1),
              );
        });
        const data = (await rows.data()) as Float32Array;
        const rowColumns = rows.shape[1]!;
        rows.dispose();
        if (values === undefined) {
          columns = rowColumns;
          values = new Float32Array(count * columns);
        }
        values.set(data, start * columns);
      }
      return { rows: count, columns, values: values ?? new Float32Array(0) };
    },
  };
}

/** Default preprocessing: the model's input size and channel count; values unchanged. */
function fitToInput(images: tf.Tensor4D, inputShape: ReadonlyArray<number | null | undefined>): tf.Tensor4D {
  const [, height, width, channels] = inputShape;
  let result = images;
  if (height != null && width != null && (images.shape[1] !== height || images.shape[2] !== width)) {
    result = tf.image.resizeBilinear(result, [height, width]);
  }
  if (channels != null && result.shape[3] !== channels) {
    if (result.shape[3] === 1) result = tf.tile(result, [1, 1, 1, channels]);
    else if (channels === 1) result = tf.mean(result, 3, true);
    else throw new DcganError(`Expected images with 1 or ${channels} channels for this model, got ${result.shape[3]}`);
  }
  return result;
}
