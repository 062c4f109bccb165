import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DcganError } from '@dcgan/common';
import { useCpuBackend } from '../test-support/cpu-backend';
import { dcganParameterCount, resolveDcganConfig } from './dcgan-config';
import { createDiscriminator } from './discriminator';
import {
  countTrainableParameters,
  discriminatorFeatureLayers,
  discriminatorFeatureModel,
  generatorFeatureLayer,
} from './feature-layers';
import { createGenerator } from './generator';
import { dcganPresets } from './presets';

beforeAll(useCpuBackend);

const layerSummary = (model: tfl.LayersModel) =>
  model.layers.map((layer) => [layer.name, layer.getClassName(), (layer.outputShape as number[]).slice(1)]);

describe('generatorFeatureLayer', () => {
  it("is the 8x8x512 layer of figure 1's generator, which holds the paper's ~200 dropped maps", () => {
    const generator = createGenerator(resolveDcganConfig({ ...dcganPresets.dcgan64, baseWidth: 128 }));
    expect(generatorFeatureLayer(generator).outputShape).toEqual([null, 8, 8, 512]);
    generator.dispose();
  });
});

describe('presets', () => {
  it('dcgan64 has exactly the pytorch/examples parameter counts', () => {
    const generator = createGenerator(dcganPresets.dcgan64);
    const discriminator = createDiscriminator(dcganPresets.dcgan64);
    expect(countTrainableParameters(generator)).toBe(3_576_704);
    expect(countTrainableParameters(discriminator)).toBe(2_765_568);
    generator.dispose();
    discriminator.dispose();
  });

  it("dcganParameterCount gives the built models' counts without building them", () => {
    // pytorch/examples' published counts for its 64px DCGAN.
    expect(dcganParameterCount(dcganPresets.dcgan64)).toEqual({ generator: 3_576_704, discriminator: 2_765_568 });
    for (const config of [
      dcganPresets.dcgan32,
      { imageSize: 16, channels: 1 as const, baseWidth: 3, latentDim: 7 },
      { imageSize: 128, channels: 3 as const, baseWidth: 4, latentDim: 10, kernelSize: 5 as const },
    ]) {
      const generator = createGenerator(config);
      const discriminator = createDiscriminator(config);
      expect(dcganParameterCount(config)).toEqual({
        generator: countTrainableParameters(generator),
        discriminator: countTrainableParameters(discriminator),
      });
      generator.dispose();
      discriminator.dispose();
    }
    // An absurd model is counted, not built.
    expect(dcganParameterCount({ imageSize: 1024, baseWidth: 64 }).generator).toBeGreaterThan(7e8);
  });

  it('dcgan64 layer shapes follow 4 -> 8 -> 16 -> 32 -> 64 with widths 512..64', () => {
    const generator = createGenerator(dcganPresets.dcgan64);
    expect(layerSummary(generator)).toEqual([
      ['g_input', 'InputLayer', [100]],
      ['g_project', 'Dense', [8192]],
      ['g_reshape', 'Reshape', [4, 4, 512]],
      ['g_bn1', 'BatchNormalization', [4, 4, 512]],
      ['g_relu1', 'ReLU', [4, 4, 512]],
      ['g_deconv2', 'Conv2DTranspose', [8, 8, 256]],
      ['g_bn2', 'BatchNormalization', [8, 8, 256]],
      ['g_relu2', 'ReLU', [8, 8, 256]],
      ['g_deconv3', 'Conv2DTranspose', [16, 16, 128]],
      ['g_bn3', 'BatchNormalization', [16, 16, 128]],
      ['g_relu3', 'ReLU', [16, 16, 128]],
      ['g_deconv4', 'Conv2DTranspose', [32, 32, 64]],
      ['g_bn4', 'BatchNormalization', [32, 32, 64]],
      ['g_relu4', 'ReLU', [32, 32, 64]],
      ['g_deconv5', 'Conv2DTranspose', [64, 64, 3]],
      ['g_tanh', 'Activation', [64, 64, 3]],
    ]);
    const discriminator = createDiscriminator(dcganPresets.dcgan64);
    expect(layerSummary(discriminator)).toEqual([
      ['d_input', 'InputLayer', [64, 64, 3]],
      ['d_conv1', 'Conv2D', [32, 32, 64]],
      ['d_lrelu1', 'LeakyReLU', [32, 32, 64]],
      ['d_conv2', 'Conv2D', [16, 16, 128]],
      ['d_bn2', 'BatchNormalization', [16, 16, 128]],
      ['d_lrelu2', 'LeakyReLU', [16, 16, 128]],
      ['d_conv3', 'Conv2D', [8, 8, 256]],
      ['d_bn3', 'BatchNormalization', [8, 8, 256]],
      ['d_lrelu3', 'LeakyReLU', [8, 8, 256]],
      ['d_conv4', 'Conv2D', [4, 4, 512]],
      ['d_bn4', 'BatchNormalization', [4, 4, 512]],
      ['d_lrelu4', 'LeakyReLU', [4, 4, 512]],
      ['d_conv5', 'Conv2D', [1, 1, 1]],
      ['d_logit', 'Flatten', [1]],
    ]);
    expect(discriminatorFeatureLayers(discriminator).map((layer) => layer.name)).toEqual([
      'd_lrelu1',
      'd_lrelu2',
      'd_lrelu3',
      'd_lrelu4',
    ]);
    // Section 6.3.1's "second highest convolution layer": the block after the projection, not the one next to the image.
    expect(generatorFeatureLayer(generator).name).toBe('g_relu2');
    expect(generatorFeatureLayer(generator, 'g_relu4').name).toBe('g_relu4');
    expect(() => generatorFeatureLayer(generator, 'g_relu5')).toThrow(
      /one of the generator's ReLU layers g_relu1 \(4x4x512\), .*g_relu4 \(32x32x64\), got `g_relu5`/,
    );
    generator.dispose();
    discriminator.dispose();
  });

  it("the authors' variant is the paper's figure 1: 5x5 kernels, 1024 channels at 4x4", () => {
    const generator = createGenerator(dcganPresets.dcgan64Authors);
    const shapes = generator.layers
      .filter((layer) => /^g_(reshape|deconv)/.test(layer.name))
      .map((layer) => (layer.outputShape as number[]).slice(1));
    expect(shapes).toEqual([
      [4, 4, 1024],
      [8, 8, 512],
      [16, 16, 256],
      [32, 32, 128],
      [64, 64, 3],
    ]);
    const deconv = generator.getLayer('g_deconv2').getWeights()[0]!;
    expect(deconv.shape).toEqual([5, 5, 512, 1024]);
    // project 100*16*1024, deconvs 5*5*(1024*512 + 512*256 + 256*128 + 128*3), BN gamma+beta 2*(1024+512+256+128)
    expect(countTrainableParameters(generator)).toBe(
      100 * 16 * 1024 + 25 * (1024 * 512 + 512 * 256 + 256 * 128 + 128 * 3) + 2 * (1024 + 512 + 256 + 128),
    );
    const discriminator = createDiscriminator(dcganPresets.dcgan64Authors);
    // convs 5*5*(3*128 + 128*256 + 256*512 + 512*1024), logit 4*4*1024, BN 2*(256+512+1024)
    expect(countTrainableParameters(discriminator)).toBe(
      25 * (3 * 128 + 128 * 256 + 256 * 512 + 512 * 1024) + 16 * 1024 + 2 * (256 + 512 + 1024),
    );
    generator.dispose();
    discriminator.dispose();
  });

  it('the 32px presets produce 32x32 images and one logit per image', () => {
    for (const preset of [dcganPresets.dcgan32, dcganPresets.dcgan32Small]) {
      const generator = createGenerator(preset);
      const discriminator = createDiscriminator(preset);
      expect(generator.outputs[0]!.shape).toEqual([null, 32, 32, 3]);
      expect(discriminator.outputs[0]!.shape).toEqual([null, 1]);
      expect(generator.getLayer('g_reshape').outputShape).toEqual([null, 4, 4, preset.baseWidth * 4]);
      expect(discriminator.getLayer('d_conv3').outputShape).toEqual([null, 4, 4, preset.baseWidth * 4]);
      generator.dispose();
      discriminator.dispose();
    }
  });
});

describe('any size, channels and width', () => {
  it.each([
    [16, 1, 8],
    [128, 3, 4],
  ])('%ipx, %i channel(s), base width %i', (imageSize, channels, baseWidth) => {
    const config = { imageSize, channels: channels as 1 | 3, baseWidth, latentDim: 12 };
    const generator = createGenerator(config);
    const discriminator = createDiscriminator(config);
    const images = tf.tidy(() => generator.predict(tf.zeros([2, 12])) as tf.Tensor);
    expect(images.shape).toEqual([2, imageSize, imageSize, channels]);
    const logits = tf.tidy(() => discriminator.predict(images) as tf.Tensor);
    expect(logits.shape).toEqual([2, 1]);
    tf.dispose([images, logits]);
    const features = discriminatorFeatureModel(discriminator);
    expect(features.outputs.map((output) => output.shape[1])).toEqual(
      Array.from({ length: Math.log2(imageSize) - 2 }, (_, index) => imageSize / 2 ** (index + 1)),
    );
    generator.dispose();
    discriminator.dispose();
  });
});

describe("the paper's architecture constraints (section 3)", () => {
  const config = { imageSize: 32, baseWidth: 8 } as const;
  const generator = createGenerator(config);
  const discriminator = createDiscriminator(config);
  const classes = (model: tfl.LayersModel) => model.layers.map((layer) => layer.getClassName());

  it('has no pooling and no hidden fully connected layers', () => {
    for (const model of [generator, discriminator]) {
      expect(classes(model).filter((name) => /Pool/.test(name))).toEqual([]);
    }
    // The only dense layer is G's projection from z; D ends in a conv over the whole 4x4 map.
    expect(generator.layers.filter((layer) => layer.getClassName() === 'Dense').map((layer) => layer.name)).toEqual([
      'g_project',
    ]);
    expect(classes(discriminator)).not.toContain('Dense');
  });

  it('uses strided convs in D and fractionally-strided convs in G', () => {
    for (const layer of discriminator.layers.filter((layer) => layer.getClassName() === 'Conv2D').slice(0, -1)) {
      expect((layer.getConfig() as { strides: number[] }).strides).toEqual([2, 2]);
    }
    const transposed = generator.layers.filter((layer) => layer.getClassName() === 'Conv2DTranspose');
    expect(transposed).toHaveLength(3);
    for (const layer of transposed) expect((layer.getConfig() as { strides: number[] }).strides).toEqual([2, 2]);
  });

  it("puts batch norm after every layer but G's output and D's input", () => {
    const follows = (model: tfl.LayersModel, name: string) => {
      const index = model.layers.findIndex((layer) => layer.name === name);
      return model.layers[index + 1]!.getClassName();
    };
    expect(follows(generator, 'g_reshape')).toBe('BatchNormalization');
    expect(follows(generator, 'g_deconv2')).toBe('BatchNormalization');
    expect(follows(generator, 'g_deconv3')).toBe('BatchNormalization');
    expect(follows(generator, 'g_deconv4')).toBe('Activation');
    expect(follows(discriminator, 'd_conv1')).toBe('LeakyReLU');
    expect(follows(discriminator, 'd_conv2')).toBe('BatchNormalization');
    expect(follows(discriminator, 'd_conv3')).toBe('BatchNormalization');
    expect(follows(discriminator, 'd_conv4')).toBe('Flatten');
    for (const layer of [...generator.layers, ...discriminator.layers].filter(
      (layer) => layer.getClassName() === 'BatchNormalization',
    )) {
      const { momentum, epsilon } = layer.getConfig() as { momentum: number; epsilon: number };
      expect([momentum, epsilon]).toEqual([0.9, 1e-5]);
    }
  });

  it('uses ReLU in G with a tanh output, LeakyReLU 0.2 in D, and no biases', () => {
    expect(classes(generator).filter((name) => name === 'ReLU')).toHaveLength(3);
    expect((generator.getLayer('g_tanh').getConfig() as { activation: string }).activation).toBe('tanh');
    const leaky = discriminator.layers.filter((layer) => layer.getClassName() === 'LeakyReLU');
    expect(leaky).toHaveLength(3);
    for (const layer of leaky) expect((layer.getConfig() as { alpha: number }).alpha).toBeCloseTo(0.2, 7);
    for (const model of [generator, discriminator]) {
      expect(model.weights.map((weight) => weight.originalName).filter((name) => /bias/.test(name))).toEqual([]);
    }
  });

  it('initialises weights from N(0, 0.02), reproducibly from the seed', () => {
    const big = createGenerator({ imageSize: 16, baseWidth: 32 }, { seed: 5 });
    const kernel = big.getLayer('g_deconv2').getWeights()[0]!;
    const values = Array.from(kernel.dataSync());
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    const gamma = Array.from(big.getLayer('g_bn1').getWeights()[0]!.dataSync());
    expect(gamma.reduce((sum, value) => sum + value, 0) / gamma.length).toBeCloseTo(1, 2);
    const again = createGenerator({ imageSize: 16, baseWidth: 32 }, { seed: 5 });
    const other = createGenerator({ imageSize: 16, baseWidth: 32 }, { seed: 6 });
    expect(Array.from(again.getLayer('g_deconv2').getWeights()[0]!.dataSync())).toEqual(Array.from(values));
    expect(Array.from(other.getLayer('g_deconv2').getWeights()[0]!.dataSync())).not.toEqual(Array.from(values));
    for (const model of [big, again, other]) model.dispose();
  });
});

describe('config validation', () => {
  it.each([
    [{ imageSize: 48 }, 'Expected `imageSize` to be a power of two >= 16, got `48`'],
    [{ imageSize: 8 }, 'Expected `imageSize` to be a power of two >= 16, got `8`'],
    [{ imageSize: 32, channels: 2 }, 'Expected `channels` to be 1 or 3, got `2`'],
    [{ imageSize: 32, latentDim: 0 }, 'Expected `latentDim` to be a positive integer, got `0`'],
    [{ imageSize: 32, baseWidth: 2.5 }, 'Expected `baseWidth` to be a positive integer, got `2.5`'],
    [{ imageSize: 32, kernelSize: 3 }, 'Expected `kernelSize` to be 4 or 5, got `3`'],
    [{ imageSize: 32, imageSzie: 64 }, 'Unknown DCGAN config option `imageSzie`'],
  ])('rejects %j', (options, message) => {
    expect(() => resolveDcganConfig(options as never)).toThrow(message);
    try {
      resolveDcganConfig(options as never);
    } catch (error) {
      expect(DcganError.isInstance(error)).toBe(true);
    }
  });

  it('fills in the defaults', () => {
    expect(resolveDcganConfig({ imageSize: 32 })).toEqual({
      imageSize: 32,
      channels: 3,
      latentDim: 100,
      baseWidth: 64,
      kernelSize: 4,
    });
  });
});
