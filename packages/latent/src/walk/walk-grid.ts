import { generate, sampleLatent } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { integerAtLeast, validSeed } from '../errors/validate';
import { generatorShape } from '../model/generator-shape';
import { derivedSeed } from '../vectors/derived-seed';
import { interpolationPath, type InterpolationMethod } from '../vectors/interpolate';

/** Options of {@link walkGrid}. */
export interface WalkGridOptions {
  /**
   * Rows of the grid: independent walks.
   * @default 6
   */
  readonly rows?: number;
  /**
   * Random waypoints per row (k >= 2); each row walks through all of them in turn.
   * @default 2
   */
  readonly points?: number;
  /**
   * Images per segment between two waypoints, both ends included.
   * @default 10
   */
  readonly stepsPerSegment?: number;
  /**
   * Straight lines (the paper) or great circles between waypoints.
   * @default 'linear'
   */
  readonly method?: InterpolationMethod;
  /**
   * Seed of the waypoints (uniform in [-1, 1] like training noise); the same seed gives the same grid.
   * @default 1
   */
  readonly seed?: number;
}

/** A grid of generated images, row-major, with the latent vectors behind them. */
export interface LatentGrid {
  /** `[rows * columns, latentDim]`, row-major. */
  readonly latents: tf.Tensor2D;
  /** `[rows * columns, size, size, channels]` in [-1, 1], row-major. */
  readonly images: tf.Tensor4D;
  readonly rows: number;
  readonly columns: number;
}

/**
 * The paper's figure 4 (top): each row is a walk through `points` random points in Z; smooth
 * transitions show that the generator has not memorised images (no sharp jumps) and has learned
 * relevant structure. The caller owns (and disposes) the returned tensors.
 *
 * @example
 * ```ts
 * const { images, columns } = walkGrid(generator, { rows: 6, points: 2, stepsPerSegment: 10, seed: 4 });
 * ```
 */
export function walkGrid(generator: tfl.LayersModel, options: WalkGridOptions = {}): LatentGrid {
  const { latentDim } = generatorShape(generator);
  const rows = integerAtLeast(options.rows ?? 6, 'rows', 1);
  const points = integerAtLeast(options.points ?? 2, 'points', 2);
  const stepsPerSegment = integerAtLeast(options.stepsPerSegment ?? 10, 'stepsPerSegment', 2);
  const seed = validSeed(options.seed ?? 1);
  const method = options.method ?? 'linear';
  const latents = tf.tidy(() => {
    const waypoints = sampleLatent(rows * points, latentDim, derivedSeed(seed, 'walk'));
    const paths = Array.from({ length: rows }, (_, row) =>
      interpolationPath(tf.slice(waypoints, [row * points, 0], [points, latentDim]), { stepsPerSegment, method }),
    );
    return tf.concat(paths, 0) as tf.Tensor2D;
  });
  const images = generate(generator, latents);
  return { latents, images, rows, columns: (points - 1) * (stepsPerSegment - 1) + 1 };
}
