import * as tf from '@tensorflow/tfjs-core';
import { LatentError } from '../errors/latent-error';
import { integerAtLeast, latentMatrix, latentVector } from '../errors/validate';

/**
 * How to move between two latent vectors: `linear` (a straight line, the paper's figure 4) or
 * `spherical` (slerp: along the great circle, Shoemake 1985, as proposed for GAN latent spaces by
 * White 2016, "Sampling Generative Networks"; keeps points at the typical distance from the origin).
 */
export type InterpolationMethod = 'linear' | 'spherical';

/** The interpolation methods, for validation and CLIs. */
export const interpolationMethods: readonly InterpolationMethod[] = Object.freeze(['linear', 'spherical']);

/** Below this sine of the angle between the vectors, slerp falls back to a straight line (its limit). */
const parallelSine = 1e-6;

function validMethod(method: unknown): InterpolationMethod {
  if (method !== 'linear' && method !== 'spherical') {
    throw new LatentError(`Expected \`method\` to be one of \`linear\`, \`spherical\`, got \`${String(method)}\``);
  }
  return method;
}

function validFractions(fractions: number | readonly number[]): number[] {
  const list = typeof fractions === 'number' ? [fractions] : [...fractions];
  if (list.length === 0) throw new LatentError('Expected `fractions` to hold at least one number, got none');
  for (const value of list) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new LatentError(`Expected every fraction to be a finite number, got \`${String(value)}\``);
    }
  }
  return list;
}

/**
 * `steps` evenly spaced fractions from 0 to 1, both ends included.
 *
 * @example
 * ```ts
 * evenFractions(5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function evenFractions(steps: number): number[] {
  integerAtLeast(steps, 'steps', 2);
  return Array.from({ length: steps }, (_, index) => index / (steps - 1));
}

/**
 * Points between two latent vectors at the given fractions (0 gives `from`, 1 gives `to`; values
 * outside [0, 1] extrapolate). Spherical interpolation of vectors `a`, `b` at angle `omega`:
 * `sin((1 - t) omega) / sin(omega) * a + sin(t omega) / sin(omega) * b`; nearly parallel or opposite
 * vectors (sin(omega) < 1e-6) use the straight line, slerp's limit. The caller owns the result.
 *
 * @example
 * ```ts
 * const path = interpolate(zA, zB, evenFractions(10), 'spherical'); // [10, latentDim]
 * ```
 */
export function interpolate(
  from: tf.Tensor1D,
  to: tf.Tensor1D,
  fractions: number | readonly number[],
  method: InterpolationMethod = 'linear',
): tf.Tensor2D {
  latentVector(from, 'from');
  latentVector(to, 'to', from.shape[0]);
  const list = validFractions(fractions);
  validMethod(method);
  return tf.tidy(() => {
    const t = tf.tensor2d(list, [list.length, 1]);
    const start = tf.reshape(from, [1, -1]);
    const end = tf.reshape(to, [1, -1]);
    if (method === 'linear') return tf.add(start, tf.mul(tf.sub(end, start), t)) as tf.Tensor2D;
    const norms = tf.mul(tf.norm(from), tf.norm(to));
    const cosine = tf.clipByValue(tf.div(tf.sum(tf.mul(from, to)), tf.maximum(norms, 1e-30)), -1, 1);
    const omega = tf.acos(cosine);
    const sine = tf.sin(omega);
    const parallel = tf.less(sine, parallelSine);
    const safeSine = tf.where(parallel, tf.onesLike(sine), sine);
    const oneMinusT = tf.sub(1, t);
    const startWeight = tf.where(parallel, oneMinusT, tf.div(tf.sin(tf.mul(oneMinusT, omega)), safeSine));
    const endWeight = tf.where(parallel, t, tf.div(tf.sin(tf.mul(t, omega)), safeSine));
    return tf.add(tf.mul(start, startWeight), tf.mul(end, endWeight)) as tf.Tensor2D;
  });
}

/** Options of {@link interpolationPath}. */
export interface InterpolationPathOptions {
  /**
   * Points per segment between two consecutive waypoints, both ends included (consecutive segments
   * share their end point, so k waypoints give `(k - 1) * (stepsPerSegment - 1) + 1` points).
   * @default 10
   */
  readonly stepsPerSegment?: number;
  /**
   * How to move along each segment.
   * @default 'linear'
   */
  readonly method?: InterpolationMethod;
}

/**
 * A walk through `k >= 2` waypoints in Z (rows of `points`), segment by segment: the latent path
 * behind one row of the paper's figure 4. The caller owns the result.
 *
 * @example
 * ```ts
 * const waypoints = sampleLatent(3, 100, 7);
 * const path = interpolationPath(waypoints, { stepsPerSegment: 8, method: 'spherical' }); // [15, 100]
 * ```
 */
export function interpolationPath(points: tf.Tensor2D, options: InterpolationPathOptions = {}): tf.Tensor2D {
  latentMatrix(points, 'points', 2);
  const steps = integerAtLeast(options.stepsPerSegment ?? 10, 'stepsPerSegment', 2);
  const method = validMethod(options.method ?? 'linear');
  const fractions = evenFractions(steps);
  return tf.tidy(() => {
    const waypoints = tf.unstack(points) as tf.Tensor1D[];
    const segments = waypoints.slice(1).map((end, index) => {
      const segment = interpolate(waypoints[index]!, end, fractions, method);
      // Every segment but the first starts where the previous one ended.
      return index === 0 ? segment : tf.slice(segment, [1, 0], [steps - 1, -1]);
    });
    return tf.concat(segments, 0) as tf.Tensor2D;
  });
}
