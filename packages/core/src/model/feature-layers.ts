import * as tfl from '@tensorflow/tfjs-layers';
import { DcganError } from '@dcgan/common';

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
    throw new DcganError(
      `Expected a DCGAN discriminator with \`d_lrelu{i}\` layers, got model \`${discriminator.name}\``,
    );
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
 * A generator layer for object forgetting (paper, section 6.3.1): by default the paper's "second highest
 * convolution layer", `g_relu2`. Figure 1 draws G from the top down: z, the projected 4x4x1024 convolutional
 * representation (`g_relu1`), then CONV 1's 8x8x512 (`g_relu2`), ... down to the 64x64x3 image. Higher means
 * further from the pixels, as in D; the second highest is the 8x8x512 layer, the only reading under which the
 * paper's "around 200" dropped maps fits (the 32x32 layer next to the image has 128). `name` picks another
 * `g_relu{i}` layer (the ReLU after batch norm of block `i`, numbered from z).
 *
 * @example
 * ```ts
 * generatorFeatureLayer(generator).name; // 'g_relu2': 8x8 x 8·baseWidth at 64px
 * generatorFeatureLayer(generator, 'g_relu4').name; // 32x32 x baseWidth, next to the image
 * ```
 */
export function generatorFeatureLayer(generator: tfl.LayersModel, name?: string): Layer {
  const layers = numberedLayers(generator, /^g_relu(\d+)$/);
  if (layers.length === 0) {
    throw new DcganError(`Expected a DCGAN generator with \`g_relu{i}\` layers, got model \`${generator.name}\``);
  }
  const wanted = name ?? secondHighestGeneratorLayer;
  const found = layers.find((entry) => entry.layer.name === wanted);
  if (found != null) return found.layer;
  // A 16px generator still has g_relu1 and g_relu2, so only a named layer can be missing.
  const available = layers
    .map((entry) => `${entry.layer.name} (${(entry.layer.outputShape as number[]).slice(1).join('x')})`)
    .join(', ');
  throw new DcganError(`Expected \`layer\` to be one of the generator's ReLU layers ${available}, got \`${wanted}\``);
}

/** The paper's "second highest convolution layer" of G (section 6.3.1): the block after the projection. */
export const secondHighestGeneratorLayer = 'g_relu2';

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
  for (const weight of model.trainableWeights)
    total += weight.shape.reduce((product: number, size) => product * (size ?? 1), 1);
  return total;
}
