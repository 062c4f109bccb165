import type * as tf from '@tensorflow/tfjs-core';
import { LatentError } from './latent-error';

/** Throws unless `value` is an integer >= `minimum`. */
export function integerAtLeast(value: unknown, name: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new LatentError(`Expected \`${name}\` to be an integer >= ${minimum}, got \`${String(value)}\``);
  }
  return value;
}

/** Throws unless `value` is a finite number >= `minimum`. */
export function finiteAtLeast(value: unknown, name: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    throw new LatentError(`Expected \`${name}\` to be a finite number >= ${minimum}, got \`${String(value)}\``);
  }
  return value;
}

/** Throws unless `seed` is a non-negative safe integer (as `@dcgan/core` seeds are). */
export function validSeed(seed: unknown, name = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new LatentError(`Expected \`${name}\` to be a non-negative integer, got \`${String(seed)}\``);
  }
  return seed;
}

/** Throws unless `tensor` is a `[count >= minimumCount, dimension]` matrix of latent vectors. */
export function latentMatrix(tensor: tf.Tensor, name: string, minimumCount = 1, dimension?: number): tf.Tensor2D {
  if (tensor == null || typeof tensor !== 'object' || !Array.isArray(tensor.shape)) {
    throw new LatentError(`Expected \`${name}\` to be a tensor, got \`${String(tensor)}\``);
  }
  const [count, size] = tensor.shape;
  if (
    tensor.rank !== 2 ||
    count == null ||
    size == null ||
    count < minimumCount ||
    (dimension != null && size !== dimension)
  ) {
    const expected = `[count${minimumCount > 1 ? ` >= ${minimumCount}` : ''}, ${dimension ?? 'latentDim'}]`;
    throw new LatentError(`Expected \`${name}\` to have shape ${expected}, got [${tensor.shape.join(', ')}]`);
  }
  return tensor as tf.Tensor2D;
}

/** Throws unless `tensor` is a single latent vector, rank 1 `[latentDim]`. */
export function latentVector(tensor: tf.Tensor, name: string, dimension?: number): tf.Tensor1D {
  if (tensor == null || typeof tensor !== 'object' || !Array.isArray(tensor.shape)) {
    throw new LatentError(`Expected \`${name}\` to be a tensor, got \`${String(tensor)}\``);
  }
  if (tensor.rank !== 1 || (dimension != null && tensor.shape[0] !== dimension)) {
    throw new LatentError(
      `Expected \`${name}\` to have shape [${dimension ?? 'latentDim'}], got [${tensor.shape.join(', ')}]`,
    );
  }
  return tensor as tf.Tensor1D;
}
