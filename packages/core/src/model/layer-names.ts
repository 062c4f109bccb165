/**
 * Layer names of the models built by {@link createGenerator} and {@link createDiscriminator}. They are
 * part of the public API: other packages (probe, latent) find layers by these names.
 *
 * With `depth = log2(imageSize) - 1` (5 at 64px):
 *
 * Generator: `g_input` -> `g_project` (dense, no bias) -> `g_reshape` (4x4) -> `g_bn1` -> `g_relu1`, then
 * for i = 2..depth-1: `g_deconv{i}` -> `g_bn{i}` -> `g_relu{i}`, then `g_deconv{depth}` -> `g_tanh`.
 *
 * Discriminator: `d_input` -> `d_conv1` -> `d_lrelu1` (no batch norm on the input layer), then for
 * i = 2..depth-1: `d_conv{i}` -> `d_bn{i}` -> `d_lrelu{i}`, then `d_conv{depth}` (4x4 valid, 1 filter)
 * -> `d_logit` (flatten to [batch, 1]).
 */
export const layerNames = Object.freeze({
  generatorInput: 'g_input',
  generatorProject: 'g_project',
  generatorReshape: 'g_reshape',
  generatorTanh: 'g_tanh',
  generatorDeconv: (index: number) => `g_deconv${index}`,
  generatorBatchNorm: (index: number) => `g_bn${index}`,
  generatorRelu: (index: number) => `g_relu${index}`,
  discriminatorInput: 'd_input',
  discriminatorLogit: 'd_logit',
  discriminatorConv: (index: number) => `d_conv${index}`,
  discriminatorBatchNorm: (index: number) => `d_bn${index}`,
  discriminatorLeakyRelu: (index: number) => `d_lrelu${index}`,
});
