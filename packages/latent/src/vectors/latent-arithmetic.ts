import * as tf from '@tensorflow/tfjs-core';
import { LatentError } from '../errors/latent-error';
import { finiteAtLeast, integerAtLeast, latentMatrix, validSeed } from '../errors/validate';
import { derivedSeed } from './derived-seed';

function asMatrix(tensor: tf.Tensor, name: string, dimension?: number): tf.Tensor2D {
  if (tensor != null && typeof tensor === 'object' && tensor.rank === 1)
    return tf.reshape(tensor, [1, -1]) as tf.Tensor2D;
  return latentMatrix(tensor, name, 1, dimension);
}

/**
 * The mean of a set of latent vectors (`[count, latentDim]`, or one `[latentDim]` vector that is
 * returned as is): the paper averages the Z of three samples per concept (section 6.3.2) because
 * single samples were unstable. The caller owns the result.
 *
 * @example
 * ```ts
 * const smilingWoman = averageLatent(tf.gather(z, [3, 17, 40])); // [latentDim]
 * ```
 */
export function averageLatent(z: tf.Tensor1D | tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mean(asMatrix(z, 'z'), 0) as tf.Tensor1D);
}

/**
 * `mean(a) - mean(b) + mean(c)` (paper, figure 7: smiling woman - neutral woman + neutral man). Each
 * argument is a set of latent vectors `[count, latentDim]` or one vector `[latentDim]`. The caller owns
 * the result.
 *
 * @example
 * ```ts
 * const smilingMan = latentArithmetic(smilingWomen, neutralWomen, neutralMen); // [latentDim]
 * ```
 */
export function latentArithmetic(
  a: tf.Tensor1D | tf.Tensor2D,
  b: tf.Tensor1D | tf.Tensor2D,
  c: tf.Tensor1D | tf.Tensor2D,
): tf.Tensor1D {
  const dimension = a?.shape?.at(-1);
  return tf.tidy(() => {
    const [meanA, meanB, meanC] = [asMatrix(a, 'a'), asMatrix(b, 'b', dimension), asMatrix(c, 'c', dimension)].map(
      (set) => tf.mean(set, 0),
    );
    return tf.add(tf.sub(meanA!, meanB!), meanC!) as tf.Tensor1D;
  });
}

/** Options of {@link noisyNeighbours}. */
export interface NoisyNeighboursOptions {
  /**
   * How many neighbours.
   * @default 8
   */
  readonly count?: number;
  /**
   * Half-width of the uniform noise added to each coordinate (the paper's "scale +-0.25").
   * @default 0.25
   */
  readonly noiseScale?: number;
  /**
   * Seed of the noise; the same seed gives the same neighbours on every backend.
   * @default 1
   */
  readonly seed?: number;
}

/**
 * `count` copies of `vector` with uniform noise in [-noiseScale, noiseScale] added to every
 * coordinate: the 8 samples around the centre of each result in the paper's figure 7, which show that
 * the generator renders the whole neighbourhood of an arithmetic result, not one lucky point. The
 * caller owns the result.
 *
 * @example
 * ```ts
 * const around = noisyNeighbours(smilingMan, { count: 8, noiseScale: 0.25, seed: 3 }); // [8, latentDim]
 * ```
 */
export function noisyNeighbours(vector: tf.Tensor1D, options: NoisyNeighboursOptions = {}): tf.Tensor2D {
  if (vector == null || typeof vector !== 'object' || vector.rank !== 1) {
    throw new LatentError(
      `Expected \`vector\` to have shape [latentDim], got [${vector?.shape?.join(', ') ?? String(vector)}]`,
    );
  }
  const count = integerAtLeast(options.count ?? 8, 'count', 1);
  const scale = finiteAtLeast(options.noiseScale ?? 0.25, 'noiseScale', 0);
  const seed = validSeed(options.seed ?? 1);
  return tf.tidy(() => {
    const noise = tf.randomUniform([count, vector.shape[0]], -scale, scale, 'float32', derivedSeed(seed, 'neighbours'));
    return tf.add(tf.reshape(vector, [1, -1]), noise) as tf.Tensor2D;
  });
}

/**
 * A "turn" direction (paper, figure 8): `mean(to) - mean(from)`, e.g. from the Z of faces looking left
 * to the Z of faces looking right. Add multiples of it to any z with {@link alongDirection}. The caller
 * owns the result.
 *
 * @example
 * ```ts
 * const turn = turnVector(lookingLeft, lookingRight); // [latentDim]
 * ```
 */
export function turnVector(from: tf.Tensor1D | tf.Tensor2D, to: tf.Tensor1D | tf.Tensor2D): tf.Tensor1D {
  const dimension = from?.shape?.at(-1);
  return tf.tidy(
    () => tf.sub(tf.mean(asMatrix(to, 'to', dimension), 0), tf.mean(asMatrix(from, 'from'), 0)) as tf.Tensor1D,
  );
}

/**
 * Each row of `z` moved by each of `amounts` times `direction`, sample by sample: row `i * amounts.length + j`
 * is `z[i] + amounts[j] * direction` (the rows of the paper's figure 8). The caller owns the result.
 *
 * @example
 * ```ts
 * const rows = alongDirection(sampleLatent(4, 100, 1), turn, evenFractions(9).map((t) => t - 0.5)); // [36, 100]
 * ```
 */
export function alongDirection(z: tf.Tensor2D, direction: tf.Tensor1D, amounts: readonly number[]): tf.Tensor2D {
  latentMatrix(z, 'z');
  if (direction == null || direction.rank !== 1 || direction.shape[0] !== z.shape[1]) {
    throw new LatentError(
      `Expected \`direction\` to have shape [${z.shape[1]}], got [${direction?.shape?.join(', ') ?? String(direction)}]`,
    );
  }
  if (
    !Array.isArray(amounts) ||
    amounts.length === 0 ||
    amounts.some((amount) => typeof amount !== 'number' || !Number.isFinite(amount))
  ) {
    throw new LatentError(`Expected \`amounts\` to be a non-empty array of finite numbers, got \`${String(amounts)}\``);
  }
  return tf.tidy(() => {
    const [count, dimension] = z.shape;
    const steps = tf.tensor3d(amounts as number[], [1, amounts.length, 1]);
    const moved = tf.add(tf.reshape(z, [count, 1, dimension]), tf.mul(steps, tf.reshape(direction, [1, 1, dimension])));
    return tf.reshape(moved, [count * amounts.length, dimension]) as tf.Tensor2D;
  });
}
