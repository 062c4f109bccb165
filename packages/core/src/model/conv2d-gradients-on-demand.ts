import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DcganError } from '@dcgan/common';

type Conv2DLayer = ReturnType<typeof tfl.layers.conv2d>;

/** The fields of tfjs-layers 4.22's Conv2D that its `call` reads. */
interface Conv2DFields {
  kernel?: { read(): tf.Tensor } | null;
  strides: number[];
  padding: string;
  dilationRate: number | number[];
  dataFormat: string;
  useBias: boolean;
  activation?: { getClassName(): string };
}

/**
 * Makes a tfjs-layers Conv2D (no bias, linear activation, channels last) run `tf.conv2d` where it runs
 * `tf.fused.conv2d`. Same forward kernel and the same results, but the fused op's gradient computes the
 * gradients of both the input and the kernel whenever either is wanted, while tf.conv2d's are computed on
 * demand. In a GAN step that is D's kernel gradients while G is trained through D, and the input gradient of
 * D's first layer while D is trained: about a tenth of the step's convolution work. The layer stays a
 * Conv2D (same class name, config and weights), so saved models are unchanged.
 */
export function withConv2DGradientsOnDemand(layer: Conv2DLayer): Conv2DLayer {
  const fields = layer as unknown as Conv2DFields;
  const activation = fields.activation?.getClassName();
  if (fields.useBias || (activation !== undefined && activation !== 'linear') || fields.dataFormat !== 'channelsLast') {
    throw new DcganError(
      `Expected conv2d layer \`${layer.name}\` to have no bias, a linear activation and channels last`,
    );
  }
  const dilations =
    typeof fields.dilationRate === 'number' ? fields.dilationRate : (fields.dilationRate as [number, number]);
  layer.call = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor =>
    tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined || fields.kernel == null)
        throw new DcganError(`Conv2d layer \`${layer.name}\` was called before it was built`);
      return tf.conv2d(
        x as tf.Tensor4D,
        fields.kernel.read() as tf.Tensor4D,
        fields.strides as [number, number],
        fields.padding === 'same' ? 'same' : 'valid',
        'NHWC',
        dilations,
      );
    });
  return layer;
}
