import * as tfl from '@tensorflow/tfjs-layers';
import { withBatchNormGradient } from './batch-norm-gradient';
import { withDenseGradientsOnDemand } from './dense-gradients-on-demand';
import { resolveDcganConfig, dcganDepth, type DcganConfigOptions } from './dcgan-config';
import { batchNormSettings, convolutionInitializer, gammaInitializer } from './initializers';
import { layerNames } from './layer-names';
import { validateSeed } from './seed';

/** Options of {@link createGenerator} and {@link createDiscriminator}. */
export interface ModelOptions {
  /**
   * Seed of the N(0, 0.02) weight initialisation; the same seed and config give the same weights.
   * @default 1
   */
  readonly seed?: number;
}

/**
 * Builds the DCGAN generator (paper, section 3): z (`latentDim`, uniform in [-1, 1]) is projected by a
 * dense layer without bias and reshaped to 4x4, then stride-2 transposed convolutions double the
 * resolution up to `imageSize`; batch norm and ReLU after every layer but the output, which is tanh.
 * No biases (batch norm's beta plays that part), weights from N(0, 0.02). Layer names: {@link layerNames}.
 *
 * @example
 * ```ts
 * const generator = createGenerator(dcganPresets.dcgan64, { seed: 7 });
 * generator.outputs[0]!.shape; // [null, 64, 64, 3]
 * ```
 */
export function createGenerator(configOptions: DcganConfigOptions, options: ModelOptions = {}): tfl.LayersModel {
  const config = resolveDcganConfig(configOptions);
  const seed = validateSeed(options.seed ?? 1);
  const depth = dcganDepth(config.imageSize);
  const widthAt = (block: number) => config.baseWidth * 2 ** (depth - 1 - block);

  const input = tfl.input({ shape: [config.latentDim], name: layerNames.generatorInput });
  const firstWidth = widthAt(1);
  let x = withDenseGradientsOnDemand(
    tfl.layers.dense({
      units: 4 * 4 * firstWidth,
      useBias: false,
      kernelInitializer: convolutionInitializer(seed, layerNames.generatorProject),
      name: layerNames.generatorProject,
    }),
  ).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers
    .reshape({ targetShape: [4, 4, firstWidth], name: layerNames.generatorReshape })
    .apply(x) as tfl.SymbolicTensor;
  x = batchNormReluBlock(x, 1, seed);
  for (let block = 2; block <= depth; block++) {
    const isOutput = block === depth;
    const name = layerNames.generatorDeconv(block);
    x = tfl.layers
      .conv2dTranspose({
        filters: isOutput ? config.channels : widthAt(block),
        kernelSize: config.kernelSize,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: convolutionInitializer(seed, name),
        name,
      })
      .apply(x) as tfl.SymbolicTensor;
    x = isOutput
      ? (tfl.layers.activation({ activation: 'tanh', name: layerNames.generatorTanh }).apply(x) as tfl.SymbolicTensor)
      : batchNormReluBlock(x, block, seed);
  }
  return tfl.model({ inputs: input, outputs: x, name: 'generator' });
}

function batchNormReluBlock(x: tfl.SymbolicTensor, block: number, seed: number): tfl.SymbolicTensor {
  const batchNormName = layerNames.generatorBatchNorm(block);
  const normalized = withBatchNormGradient(
    tfl.layers.batchNormalization({
      ...batchNormSettings,
      gammaInitializer: gammaInitializer(seed, batchNormName),
      name: batchNormName,
    }),
  ).apply(x) as tfl.SymbolicTensor;
  return tfl.layers.reLU({ name: layerNames.generatorRelu(block) }).apply(normalized) as tfl.SymbolicTensor;
}
