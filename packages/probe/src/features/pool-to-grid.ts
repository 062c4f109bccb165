import * as tf from '@tensorflow/tfjs-core';

/**
 * Max-pools `[batch, size, size, channels]` activations to `[batch, grid * grid * channels]`: each grid
 * cell takes the maximum over its `poolSize` x `poolSize` window, flattened as (row, column, channel).
 * Two rank-4 max reductions over reshaped views (no pooling kernel), which every backend runs fast.
 */
export function poolToGrid(activations: tf.Tensor4D, gridSize: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = activations.shape;
    const poolSize = height / gridSize;
    if (poolSize === 1) return tf.reshape(activations, [batch, gridSize * gridSize * channels]);
    const rows = tf.max(tf.reshape(activations, [batch * gridSize, poolSize, width, channels]), 1);
    const cells = tf.max(tf.reshape(rows, [batch * gridSize * gridSize, width / gridSize, channels]), 1);
    return tf.reshape(cells, [batch, gridSize * gridSize * channels]);
  });
}
