import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-core 4.22's gradient of Mean builds its result as `dy * ones(x.shape) / n`, where the ones are a
 * typed array filled element by element in JavaScript and uploaded to the backend on every call: batch
 * norm takes two means per layer, so a training step fills and uploads ones the size of every
 * normalised activation twice (a few percent of a wasm step). This gradient divides the reduced `dy` by
 * n first and broadcasts it with Tile: the same values bit for bit (multiplying by one is exact, and
 * each element is the same quotient), on any backend.
 */
const meanGradient: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attributes) => {
    const [x] = saved as [tf.Tensor];
    const { axis } = attributes as unknown as tf.MeanAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const [, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const reduceSize = tf.util.sizeFromShape(reduceShape);
    return {
      x: () => {
        const expandedShape = x.shape.map((size, index) => (axes.includes(index) ? 1 : size));
        const quotient = tf.div(tf.reshape(dy as tf.Tensor, expandedShape), reduceSize);
        return tf.tile(
          quotient,
          x.shape.map((size, index) => (axes.includes(index) ? size : 1)),
        );
      },
    };
  },
};

/** Registers {@link meanGradient} in place of tfjs-core's (idempotent; the results are the same). */
export function useBroadcastMeanGradient(): void {
  if (tf.getGradient(tf.Mean) !== meanGradient) tf.registerGradient(meanGradient);
}
