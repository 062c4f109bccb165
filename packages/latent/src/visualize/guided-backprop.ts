import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LatentError } from '../errors/latent-error';
import { chainIndex, layerChain, runChain } from '../model/layer-chain';

/** Options of {@link guidedBackprop}. */
export interface GuidedBackpropOptions {
  /** Name of the layer whose unit is explained, e.g. `d_lrelu3`. */
  readonly layer: string;
  /** Feature map (channel) of that layer: one for all images, or one per image. */
  readonly channel: number | readonly number[];
}

/** Throws unless `images` is a non-empty batch of the model's input shape. */
export function validateImageBatch(images: tf.Tensor4D, model: tfl.LayersModel): void {
  const expected = model.inputs[0]?.shape;
  if (
    images == null ||
    images.rank !== 4 ||
    images.shape[0] === 0 ||
    expected?.slice(1).some((size, axis) => size != null && size !== images.shape[axis + 1])
  ) {
    throw new LatentError(
      `Expected \`images\` to have shape [count > 0, ${expected?.slice(1).join(', ') ?? 'height, width, channels'}], got [${images?.shape?.join(', ') ?? String(images)}]`,
    );
  }
}

/**
 * Guided backpropagation (Springenberg et al. 2015), as the paper uses it to show what the
 * discriminator's features respond to (section 6.2, figure 5): for each image, the gradient of one
 * unit, the strongest response of feature map `channel` at `layer` in that image, with respect to the
 * image, where every (leaky) ReLU passes gradient back only where its input and the gradient are both
 * positive. Batch norm runs in inference mode, so images do not interact. Returns a tensor of the
 * images' shape; the caller owns it.
 *
 * @example
 * ```ts
 * const saliency = guidedBackprop(discriminator, images, { layer: 'd_lrelu3', channel: 17 });
 * ```
 */
export function guidedBackprop(
  model: tfl.LayersModel,
  images: tf.Tensor4D,
  options: GuidedBackpropOptions,
): tf.Tensor4D {
  const layers = layerChain(model, 'model');
  validateImageBatch(images, model);
  const index = chainIndex(layers, options?.layer, 'model');
  const mapCount = (layers[index]!.outputShape as number[]).at(-1)!;
  const count = images.shape[0];
  const channels =
    typeof options.channel === 'number'
      ? Array.from({ length: count }, () => options.channel as number)
      : [...options.channel];
  if (channels.length !== count)
    throw new LatentError(`Expected one channel per image (${count}), got ${channels.length}`);
  for (const channel of channels) {
    if (!Number.isInteger(channel) || channel < 0 || channel >= mapCount) {
      throw new LatentError(
        `Expected \`channel\` to be an integer in 0..${mapCount - 1} (layer \`${options.layer}\`), got \`${String(channel)}\``,
      );
    }
  }
  return tf.tidy(() => {
    const activation = runChain(layers, images, 0, index) as tf.Tensor4D;
    const [, height, width] = activation.shape;
    const channelMask = tf.reshape(
      tf.cast(
        tf.equal(tf.reshape(tf.range(0, mapCount, 1, 'int32'), [1, -1]), tf.tensor2d(channels, [count, 1], 'int32')),
        'float32',
      ),
      [count, 1, 1, mapCount],
    );
    const responses = tf.reshape(tf.sum(tf.mul(activation, channelMask), -1), [count, height * width]);
    // One-hot of the strongest position (tf.oneHot refuses a depth of 1, i.e. a 1x1 feature map).
    const positions = tf.range(0, height * width, 1, 'int32');
    const strongest = tf.reshape(
      tf.cast(tf.equal(tf.reshape(positions, [1, -1]), tf.reshape(tf.argMax(responses, 1), [-1, 1])), 'float32'),
      [count, height, width, 1],
    );
    const unitMask = tf.mul(strongest, channelMask);
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(runChain(layers, x, 0, index, 'guided'), unitMask)));
    return gradient(images) as tf.Tensor4D;
  });
}

/**
 * Maps gradients to [-1, 1] for viewing, image by image: zero stays mid-grey and `contrast` root mean
 * squares of the image's gradient reach full black or white. All-zero gradients stay grey.
 *
 * @example
 * ```ts
 * const grid = await imageGrid(gradientsForDisplay(saliency), { columns: 8 });
 * ```
 */
export function gradientsForDisplay(gradients: tf.Tensor4D, contrast = 3): tf.Tensor4D {
  if (!(typeof contrast === 'number' && contrast > 0 && Number.isFinite(contrast))) {
    throw new LatentError(`Expected \`contrast\` to be a finite number > 0, got \`${String(contrast)}\``);
  }
  return tf.tidy(() => {
    const rootMeanSquare = tf.sqrt(tf.mean(tf.square(gradients), [1, 2, 3], true));
    return tf.clipByValue(tf.div(gradients, tf.maximum(tf.mul(rootMeanSquare, contrast), 1e-30)), -1, 1) as tf.Tensor4D;
  });
}
