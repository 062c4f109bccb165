import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../test-support/cpu-backend';
import { DcganError } from '@dcgan/common';
import { withConv2DGradientsOnDemand } from './conv2d-gradients-on-demand';

beforeAll(useCpuBackend);

const layerArgs = {
  filters: 4,
  kernelSize: 3,
  strides: 2,
  padding: 'same',
  useBias: false,
  kernelInitializer: 'glorotNormal',
} as const;

/** sum(output^2) and its gradient with respect to the input or to the kernel. */
function run(layer: ReturnType<typeof tfl.layers.conv2d>, x: tf.Tensor4D, wanted: 'input' | 'kernel') {
  const variable = layer.trainableWeights[0]!.read() as tf.Variable;
  const { value, grads } = tf.engine().gradients(
    () => {
      const y = layer.apply(x) as tf.Tensor;
      return tf.sum(tf.square(y)) as tf.Scalar;
    },
    wanted === 'input' ? [x] : [variable],
  );
  const result = { value: value.dataSync()[0]!, gradient: Array.from(grads[0]!.dataSync()) };
  tf.dispose([value, ...grads]);
  return result;
}

describe('withConv2DGradientsOnDemand', () => {
  it('gives the same outputs and gradients as the stock layer, computing only the gradient asked for', async () => {
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const stock = tfl.layers.conv2d({ ...layerArgs, name: 'stock' });
    const onDemand = withConv2DGradientsOnDemand(tfl.layers.conv2d({ ...layerArgs, name: 'on_demand' }));
    stock.apply(x);
    onDemand.apply(x);
    onDemand.setWeights(stock.getWeights());
    for (const wanted of ['input', 'kernel'] as const) {
      const expected = run(stock, x, wanted);
      const profile = await tf.profile(() => run(onDemand, x, wanted));
      const actual = run(onDemand, x, wanted);
      expect(actual.value).toBe(expected.value);
      expect(actual.gradient).toEqual(expected.gradient);
      const kernels = profile.kernels.map((kernel) => kernel.name);
      expect(kernels).toContain(wanted === 'input' ? 'Conv2DBackpropInput' : 'Conv2DBackpropFilter');
      expect(kernels).not.toContain(wanted === 'input' ? 'Conv2DBackpropFilter' : 'Conv2DBackpropInput');
      // The stock layer computes both.
      const stockKernels = (await tf.profile(() => run(stock, x, wanted))).kernels.map((kernel) => kernel.name);
      expect(stockKernels).toEqual(expect.arrayContaining(['Conv2DBackpropInput', 'Conv2DBackpropFilter']));
    }
    // Saved the same way: the layer is still a plain Conv2D.
    expect(onDemand.getClassName()).toBe('Conv2D');
    expect({ ...onDemand.getConfig(), name: 'stock' }).toEqual(stock.getConfig());
    stock.dispose();
    onDemand.dispose();
    x.dispose();
  });

  it('refuses layers with a bias or an activation', () => {
    expect(() => withConv2DGradientsOnDemand(tfl.layers.conv2d({ ...layerArgs, useBias: true }))).toThrow(DcganError);
    expect(() => withConv2DGradientsOnDemand(tfl.layers.conv2d({ ...layerArgs, activation: 'relu' }))).toThrow(
      DcganError,
    );
  });
});
