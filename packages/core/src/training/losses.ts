import * as tf from '@tensorflow/tfjs-core';

/**
 * Discriminator loss on logits: mean sigmoid cross-entropy of real images against label 1 plus that of
 * fakes against label 0 (pytorch/examples' errD_real + errD_fake).
 *
 * @example
 * ```ts
 * const loss = discriminatorLoss(discriminator.apply(real) as tf.Tensor, discriminator.apply(fake) as tf.Tensor);
 * ```
 */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    tf.add(
      tf.losses.sigmoidCrossEntropy(tf.onesLike(realLogits), realLogits),
      tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits),
    ),
  ) as tf.Scalar;
}

/**
 * The non-saturating generator loss (paper's reference code; Goodfellow et al. 2014, section 3): mean
 * sigmoid cross-entropy of D's logits on fakes against label 1, i.e. maximise log D(G(z)).
 *
 * @example
 * ```ts
 * const loss = generatorLoss(discriminator.apply(generator.apply(z)) as tf.Tensor);
 * ```
 */
export function generatorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.losses.sigmoidCrossEntropy(tf.onesLike(fakeLogits), fakeLogits)) as tf.Scalar;
}
