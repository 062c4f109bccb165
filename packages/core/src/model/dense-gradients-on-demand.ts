import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DcganError } from '@dcgan/common';

type DenseLayer = ReturnType<typeof tfl.layers.dense>;

/** The fields of tfjs-layers 4.22's Dense that its `call` reads. */
interface DenseFields {
  kernel?: { read(): tf.Tensor } | null;
  useBias: boolean;
  activation?: { getClassName(): string };
}

/**
 * Makes a tfjs-layers Dense layer (no bias, linear activation) run `tf.matMul` where it runs
 * `tf.fused.matMul`, whose gradient computes the gradients of both the input and the kernel whenever either is
 * wanted; tf.matMul's are computed on demand. In G's projection of z that is the gradient with respect to z,
 * which training never reads. The layer stays a Dense layer (same class name, config and weights), so saved
 * models are unchanged.
 */
export function withDenseGradientsOnDemand(layer: DenseLayer): DenseLayer {
  const fields = layer as unknown as DenseFields;
  const activation = fields.activation?.getClassName();
  if (fields.useBias || (activation !== undefined && activation !== 'linear'))
    throw new DcganError(`Expected dense layer \`${layer.name}\` to have no bias and a linear activation`);
  layer.call = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined || fields.kernel == null)
      throw new DcganError(`Dense layer \`${layer.name}\` was called before it was built`);
    if (x.rank !== 2) throw new DcganError(`Expected dense layer \`${layer.name}\` input of rank 2, got ${x.rank}`);
    return tf.matMul(x as tf.Tensor2D, fields.kernel.read() as tf.Tensor2D);
  };
  return layer;
}
