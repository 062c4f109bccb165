import * as tfl from '@tensorflow/tfjs-layers';
import { resolveDcganConfig, dcganDepth, type DcganConfigOptions } from './dcgan-config';
import { withBatchNormGradient } from './batch-norm-gradient';
import { withConv2DGradientsOnDemand } from './conv2d-gradients-on-demand';
import type { ModelOptions } from './generator';
import { batchNormSettings, convolutionInitializer, gammaInitializer } from './initializers';
import { layerNames } from './layer-names';
import { withLeakyReluGradient } from './leaky-relu-gradient';
import { validateSeed } from './seed';

/** LeakyReLU slope of the discriminator (paper, section 3). */
export const leakyReluSlope = 0.2;

/**
 * Builds the DCGAN discriminator (paper, section 3): stride-2 convolutions halve the resolution down to
 * 4x4 (no pooling), batch norm on every layer but the input one, LeakyReLU 0.2; the last 4x4 map goes
 * through one 4x4 valid convolution (the same as flatten + a single dense unit) to one logit per image,
 * shape `[batch, 1]`. No biases, weights from N(0, 0.02). Layer names: {@link layerNames}.
 *
 * @example
 * ```ts
 * const discriminator = createDiscriminator(dcganPresets.dcgan64);
 * discriminator.outputs[0]!.shape; // [null, 1]
 * ```
 */
export function createDiscriminator(configOptions: DcganConfigOptions, options: ModelOptions = {}): tfl.LayersModel {
  const config = resolveDcganConfig(configOptions);
  const seed = validateSeed(options.seed ?? 1);
  const depth = dcganDepth(config.imageSize);

  const input = tfl.input({
    shape: [config.imageSize, config.imageSize, config.channels],
    name: layerNames.discriminatorInput,
  });
  let x: tfl.SymbolicTensor = input;
  for (let block = 1; block < depth; block++) {
    const convolutionName = layerNames.discriminatorConv(block);
    x = withConv2DGradientsOnDemand(
      tfl.layers.conv2d({
        filters: config.baseWidth * 2 ** (block - 1),
        kernelSize: config.kernelSize,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: convolutionInitializer(seed, convolutionName),
        name: convolutionName,
      }),
    ).apply(x) as tfl.SymbolicTensor;
    if (block > 1) {
      const batchNormName = layerNames.discriminatorBatchNorm(block);
      x = withBatchNormGradient(
        tfl.layers.batchNormalization({
          ...batchNormSettings,
          gammaInitializer: gammaInitializer(seed, batchNormName),
          name: batchNormName,
        }),
      ).apply(x) as tfl.SymbolicTensor;
    }
    x = withLeakyReluGradient(
      tfl.layers.leakyReLU({ alpha: leakyReluSlope, name: layerNames.discriminatorLeakyRelu(block) }),
    ).apply(x) as tfl.SymbolicTensor;
  }
  const logitName = layerNames.discriminatorConv(depth);
  x = withConv2DGradientsOnDemand(
    tfl.layers.conv2d({
      filters: 1,
      kernelSize: 4,
      strides: 1,
      padding: 'valid',
      useBias: false,
      kernelInitializer: convolutionInitializer(seed, logitName),
      name: logitName,
    }),
  ).apply(x) as tfl.SymbolicTensor;
  const logit = tfl.layers.flatten({ name: layerNames.discriminatorLogit }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logit, name: 'discriminator' });
}
