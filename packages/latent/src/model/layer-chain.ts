import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LatentError } from '../errors/latent-error';

type Layer = tfl.layers.Layer;

/**
 * The layers of a model that is a single chain (each layer fed by the one before it, as DCGAN's
 * generator and discriminator are), input layer excluded, in order. Running the chain layer by layer
 * lets the tools change what flows between two layers (drop feature maps) or how gradients flow back
 * (guided backpropagation) without rebuilding the model.
 */
export function layerChain(model: tfl.LayersModel, role: string): Layer[] {
  if (model == null || typeof model !== 'object' || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new LatentError(`Expected \`${role}\` to be a tfjs LayersModel, got \`${String(model)}\``);
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new LatentError(
      `Expected \`${role}\` to have one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const [input, ...rest] = model.layers;
  if (input == null || input.getClassName() !== 'InputLayer') {
    throw new LatentError(`Expected \`${role}\` (model \`${model.name}\`) to start with an input layer`);
  }
  rest.forEach((layer, index) => {
    const previous = model.layers[index]!;
    // Node 0 is the call that built this model; later nodes come from other models reusing the layer.
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new LatentError(
        `Expected \`${role}\` (model \`${model.name}\`) to be a chain of layers, but \`${layer.name}\` is not fed by \`${previous.name}\` alone`,
      );
    }
  });
  return rest;
}

/** Index of the layer named `name` in a chain; throws naming the model's layers when absent. */
export function chainIndex(layers: readonly Layer[], name: string, role: string): number {
  const index = layers.findIndex((layer) => layer.name === name);
  if (index === -1) {
    throw new LatentError(
      `Expected \`${role}\` to have a layer \`${name}\`; it has ${layers.map((layer) => `\`${layer.name}\``).join(', ')}`,
    );
  }
  return index;
}

/** How a rectifier layer's backward pass is changed while running a chain. */
export type RectifierGradient = 'standard' | 'guided';

const rectifierClasses = new Set(['ReLU', 'LeakyReLU']);

/**
 * Guided backpropagation's rectifier (Springenberg et al. 2015, "Striving for simplicity"): the forward
 * pass is the layer's own; backwards, a gradient passes only where the forward input was positive and
 * the gradient itself is positive. Leaky slopes count as closed gates, as in the method's definition.
 */
function guidedRectifier(layer: Layer): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, save] = inputs as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: layer.apply(x, { training: false }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.mul(dy, tf.cast(tf.logicalAnd(tf.greater(saved[0]!, 0), tf.greater(dy, 0)), dy.dtype)),
    };
  }) as (x: tf.Tensor) => tf.Tensor;
}

/**
 * Runs `layers[from..to]` (inclusive) on `x` in inference mode (batch norm uses its moving statistics),
 * optionally with guided rectifier gradients. Call inside `tf.tidy`.
 */
export function runChain(
  layers: readonly Layer[],
  x: tf.Tensor,
  from: number,
  to: number,
  rectifiers: RectifierGradient = 'standard',
): tf.Tensor {
  let value = x;
  for (let index = from; index <= to; index++) {
    const layer = layers[index]!;
    value =
      rectifiers === 'guided' && rectifierClasses.has(layer.getClassName())
        ? guidedRectifier(layer)(value)
        : (layer.apply(value, { training: false }) as tf.Tensor);
  }
  return value;
}
