import type * as tfCore from '@tensorflow/tfjs-core';

import type { Batch } from './batch';

/**
 * Wraps a batch's [-1, 1] images in a `[n, h, w, c]` float32 tensor. Takes the tfjs namespace as an argument so
 * that this package never loads a second copy of tfjs-core. The caller owns (and disposes) the tensor.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs-core';
 * const x = batchToTensor(tf, batch);
 */
export function batchToTensor(tf: Pick<typeof tfCore, 'tensor4d'>, batch: Batch): tfCore.Tensor4D {
  return tf.tensor4d(batch.images, [...batch.shape]);
}
