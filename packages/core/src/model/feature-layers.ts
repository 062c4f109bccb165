import * as tfl from '@tensorflow/tfjs-layers';
import { DcganError } from '../errors/dcgan-error';

type Layer = tfl.layers.Layer;

function numberedLayers(model: tfl.LayersModel, pattern: RegExp): Array<{ index: number; layer: Layer }> {
  const found: Array<{ index: number; layer: Layer }> = [];
  for (const layer of model.layers) {
    const match = pattern.exec(layer.name);
    if (match?.[1] != null) found.push({ index: Number(match[1]), layer });
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * The discriminator's hidden convolutional feature layers, input side first: the LeakyReLU outputs
 * `d_lrelu1` ... `d_lrelu{depth-1}` (the paper's section 5.1 features, before max-pooling to 4x4).
 * Works on models from {@link createDiscriminator} and on saved/loaded copies of them.
 *
 * @example
 * ```ts
 * const layers = discriminatorFeatureLayers(discriminator);
 * const features = tf.model({ inputs: discriminator.inputs, outputs: layers.map((layer) => layer.output as tf.SymbolicTensor) });
 * ```
 */
export function discriminatorFeatureLayers(discriminator: tfl.LayersModel): Layer[] {
  const layers = numberedLayers(discriminator, /^d_lrelu(\d+)$/);
  if (layers.length === 0) {
    throw new DcganError(`Expected a DCGAN discriminator with \`d_lrelu{i}\` layers, got model \`${discriminator.name}\``);
  }
  return layers.map((entry) => entry.layer);
}

/**
 * A model that maps images to the discriminator's hidden conv activations (one output per
 * {@link discriminatorFeatureLayers} entry), sharing D's weights. Run it in inference mode (`predict`).
 *
 * @example
 * ```ts
 * const featureModel = discriminatorFeatureModel(discriminator);
 * const [conv1, conv2, conv3] = featureModel.predict(images) as tf.Tensor4D[];
 * ```
 */
export function discriminatorFeatureModel(discriminator: tfl.LayersModel): tfl.LayersModel {
  const layers = discriminatorFeatureLayers(discriminator);
  return tfl.model({
    inputs: discriminator.inputs,
    outputs: layers.map((layer) => layer.output as tfl.SymbolicTensor),
    name: 'discriminator_features',
  });
}

/**
 * The generator's "second highest" convolution layer's activations (paper, section 6.1 "forgetting"):
 * `g_relu{depth-1}`, the ReLU after `g_deconv{depth-1}` and `g_bn{depth-1}`, whose output feeds the
 * final transposed convolution (at 64px: 32x32 x baseWidth).
 *
 * @example
 * ```ts
 * const layer = generatorFeatureLayer(generator); // layer.name === 'g_relu4' at 64px
 * ```
 */
export function generatorFeatureLayer(generator: tfl.LayersModel): Layer {
  const layers = numberedLayers(generator, /^g_relu(\d+)$/);
  const last = layers.at(-1);
  if (last == null) {
    throw new DcganError(`Expected a DCGAN generator with \`g_relu{i}\` layers, got model \`${generator.name}\``);
  }
  return last.layer;
}

/**
 * Number of trainable parameters (batch norm's gamma and beta count, its running statistics do not).
 *
 * @example
 * ```ts
 * countTrainableParameters(createGenerator(dcganPresets.dcgan64)); // 3576704
 * ```
 */
export function countTrainableParameters(model: tfl.LayersModel): number {
  let total = 0;
  for (const weight of model.trainableWeights) total += weight.shape.reduce((product: number, size) => product * (size ?? 1), 1);
  return total;
}
