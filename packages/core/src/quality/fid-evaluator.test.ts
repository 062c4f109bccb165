import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenerator } from '../model/generator';
import { resolveDcganConfig } from '../model/dcgan-config';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistDigits } from '../test-support/mnist-digits';
import { createFeatureExtractor } from './feature-extractor';
import { createFidEvaluator } from './fid-evaluator';
import { featureStatistics, frechetDistance } from './frechet-distance';

beforeAll(useCpuBackend);

// A 2x2 conv (2 filters) + ReLU on 4x4 gray images; weights fixed so features can be worked out by hand.
const kernel = [1, -1, 0.5, 2, /* filter 2 */ -1, 0.25, 1, 1]; // [filter][ky*2+kx]
const bias = [0.1, -0.2];

/** ReLU(conv) averaged over the 3x3 valid positions, in plain double-precision JS. */
function expectedFeatures(image: number[]): number[] {
  return [0, 1].map((filter) => {
    let sum = 0;
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 3; x++) {
        let value = bias[filter]!;
        for (let ky = 0; ky < 2; ky++)
          for (let kx = 0; kx < 2; kx++) value += image[(y + ky) * 4 + x + kx]! * kernel[filter * 4 + ky * 2 + kx]!;
        sum += Math.max(value, 0);
      }
    }
    return sum / 9;
  });
}

function layersModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 1] });
  const conv = tfl.layers
    .conv2d({ filters: 2, kernelSize: 2, activation: 'relu', name: 'features' })
    .apply(input) as tfl.SymbolicTensor;
  const output = tfl.layers
    .dense({ units: 3, name: 'logits' })
    .apply(tfl.layers.flatten().apply(conv)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output, name: 'tiny' });
  // HWIO: [ky, kx, 1, filter]
  const weights = [0, 1, 2, 3].flatMap((position) => [kernel[position]!, kernel[4 + position]!]);
  model.getLayer('features').setWeights([tf.tensor4d(weights, [2, 2, 1, 2]), tf.tensor1d(bias)]);
  return model;
}

/** The same network as a TensorFlow GraphDef, loaded by tfjs-converter's GraphModel. */
async function graphModel(): Promise<tfc.GraphModel> {
  const weights = [0, 1, 2, 3].flatMap((position) => [kernel[position]!, kernel[4 + position]!]);
  const dtype = { type: 'DT_FLOAT' };
  const modelTopology = {
    node: [
      {
        name: 'images',
        op: 'Placeholder',
        attr: { dtype, shape: { shape: { dim: [{ size: '-1' }, { size: '4' }, { size: '4' }, { size: '1' }] } } },
      },
      {
        name: 'kernel',
        op: 'Const',
        attr: {
          dtype,
          value: {
            tensor: {
              dtype: 'DT_FLOAT',
              tensorShape: { dim: [{ size: '2' }, { size: '2' }, { size: '1' }, { size: '2' }] },
            },
          },
        },
      },
      {
        name: 'bias',
        op: 'Const',
        attr: { dtype, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }] } } } },
      },
      {
        name: 'conv',
        op: 'Conv2D',
        input: ['images', 'kernel'],
        attr: {
          T: dtype,
          strides: { list: { i: ['1', '1', '1', '1'] } },
          padding: { s: btoa('VALID') },
          data_format: { s: btoa('NHWC') },
          dilations: { list: { i: ['1', '1', '1', '1'] } },
        },
      },
      { name: 'biased', op: 'BiasAdd', input: ['conv', 'bias'], attr: { T: dtype, data_format: { s: btoa('NHWC') } } },
      { name: 'relu', op: 'Relu', input: ['biased'], attr: { T: dtype } },
    ],
    versions: { producer: 1 },
  };
  const weightSpecs = [
    { name: 'kernel', shape: [2, 2, 1, 2], dtype: 'float32' as const },
    { name: 'bias', shape: [2], dtype: 'float32' as const },
  ];
  const weightData = new Float32Array([...weights, ...bias]).buffer;
  return tfc.loadGraphModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData, format: 'graph-model' }));
}

const images = (count: number, seed: number) =>
  tf.randomUniform([count, 4, 4, 1], -1, 1, 'float32', seed) as tf.Tensor4D;

describe('createFeatureExtractor', () => {
  it('reads the named layer of a layers model and of a graph model, averaged over positions, in batches', async () => {
    const input = images(7, 1);
    const pixels = Array.from(await input.data());
    const expected = Array.from({ length: 7 }, (_, index) =>
      expectedFeatures(pixels.slice(index * 16, index * 16 + 16)),
    );
    const fromLayers = await createFeatureExtractor({ model: layersModel(), layer: 'features', batchSize: 3 }).extract(
      input,
    );
    const fromGraph = await createFeatureExtractor({ model: await graphModel(), layer: 'relu', batchSize: 4 }).extract(
      input,
    );
    for (const features of [fromLayers, fromGraph]) {
      expect([features.rows, features.columns]).toEqual([7, 2]);
      Array.from(features.values).forEach((value, index) =>
        expect(value).toBeCloseTo(expected[Math.floor(index / 2)]![index % 2]!, 5),
      );
    }
    const flat = await createFeatureExtractor({ model: layersModel(), layer: 'features', pooling: 'flatten' }).extract(
      input,
    );
    expect(flat.columns).toBe(18);
    input.dispose();
  });

  it('names the model and its layers when the layer does not exist', () => {
    expect(() => createFeatureExtractor({ model: layersModel(), layer: 'pool3' })).toThrow(
      /layer of model `tiny` \(.*features, .*logits\), got `pool3`/,
    );
  });

  it('resizes and converts gray to RGB for the model by default', async () => {
    const input = tfl.input({ shape: [4, 4, 3] });
    const model = tfl.model({
      inputs: input,
      outputs: tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(input) as tfl.SymbolicTensor,
    });
    const gray = tf.fill([2, 8, 8, 1], 0.5) as tf.Tensor4D;
    const features = await createFeatureExtractor({ model, layer: 'pool' }).extract(gray);
    expect(Array.from(features.values)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    gray.dispose();
  });
});

describe('createFidEvaluator', () => {
  it('scores a DCGAN generator on real digits with a layers model, and leaks no tensors', async () => {
    const real = mnistDigits(60, 16);
    const input = tfl.input({ shape: [16, 16, 1] });
    const conv = tfl.layers
      .conv2d({
        filters: 8,
        kernelSize: 3,
        strides: 2,
        activation: 'relu',
        name: 'features',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      })
      .apply(input);
    const featureModel = tfl.model({ inputs: input, outputs: conv as tfl.SymbolicTensor });
    const evaluator = await createFidEvaluator({
      featureModel,
      layer: 'features',
      realImages: real,
      sampleCount: 40,
      kidSubsets: 5,
      kidSubsetSize: 30,
    });
    const generator = createGenerator(resolveDcganConfig({ imageSize: 16, channels: 1, latentDim: 8, baseWidth: 8 }));
    const before = tf.memory().numTensors;
    const first = await evaluator.evaluate(generator);
    expect(tf.memory().numTensors).toBe(before);
    expect(await evaluator.evaluate(generator)).toEqual(first);
    expect(tf.memory().numTensors).toBe(before);
    expect(first).toMatchObject({ realCount: 60, sampleCount: 40, featureSize: 8 });
    expect(first.fid).toBeGreaterThan(0);
    expect(first.kid).toBeGreaterThan(0);
    expect(first.kidStd).toBeGreaterThan(0);
    // The real images themselves score (near) zero; other real digits score far below the untrained generator.
    const self = await evaluator.evaluateImages(real);
    expect(Math.abs(self.fid)).toBeLessThan(1e-6);
    const others = mnistDigits(40, 16, 60);
    const otherDigits = await evaluator.evaluate(() => tf.clone(others)); // evaluate disposes what the function returns
    expect(otherDigits.fid).toBeLessThan(first.fid / 4);
    expect(otherDigits.kid).toBeLessThan(first.kid / 4);
    const direct = frechetDistance(
      evaluator.realStatistics,
      featureStatistics(await createFeatureExtractor({ model: featureModel, layer: 'features' }).extract(others)),
    );
    expect(otherDigits.fid).toBeCloseTo(direct, 9);
    others.dispose();
    real.dispose();
  });

  it('rejects a wrong image count from an image function', async () => {
    const featureModel = layersModel();
    const evaluator = await createFidEvaluator({
      featureModel,
      layer: 'features',
      realImages: [images(5, 1), images(5, 2)],
      sampleCount: 6,
    });
    expect(evaluator.realFeatures.rows).toBe(10);
    await expect(evaluator.evaluate(() => images(5, 3))).rejects.toThrow(/return 6 images, got 5/);
  });
});
