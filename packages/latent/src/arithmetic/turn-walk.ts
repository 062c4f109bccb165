import { generate } from '@dcgan/core';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LatentError } from '../errors/latent-error';
import { integerAtLeast, latentMatrix } from '../errors/validate';
import { generatorShape } from '../model/generator-shape';
import { alongDirection, turnVector } from '../vectors/latent-arithmetic';
import type { LatentGrid } from '../walk/walk-grid';

/** Options of {@link turnWalk}. */
export interface TurnWalkOptions {
  /** Latent vectors of one end of the turn (e.g. faces looking left), `[count, latentDim]`. */
  readonly from: tf.Tensor2D;
  /** Latent vectors of the other end (e.g. faces looking right). */
  readonly to: tf.Tensor2D;
  /** The samples to turn, one grid row each, `[rows, latentDim]`. */
  readonly samples: tf.Tensor2D;
  /**
   * Images per row.
   * @default 10
   */
  readonly steps?: number;
  /**
   * Multiples of the turn vector at the first and last column. The default swings each sample by one
   * whole `mean(to) - mean(from)`, centred on the sample itself.
   * @default [-0.5, 0.5]
   */
  readonly range?: readonly [number, number];
}

/** What {@link turnWalk} computed; the caller owns (and disposes) every tensor. */
export interface TurnWalkResult extends LatentGrid {
  /** `mean(to) - mean(from)`, `[latentDim]`. */
  readonly direction: tf.Tensor1D;
  /** The multiple of `direction` added in each column. */
  readonly amounts: readonly number[];
}

/**
 * The paper's figure 8: a "turn" vector from the averaged Z of two sets of samples, and random samples
 * moved along it, one row each (faces turning from left to right; on MNIST, digits slanting).
 *
 * @example
 * ```ts
 * const turn = turnWalk(generator, { from: leftZ, to: rightZ, samples: sampleLatent(6, 100, 9) });
 * ```
 */
export function turnWalk(generator: tfl.LayersModel, options: TurnWalkOptions): TurnWalkResult {
  const { latentDim } = generatorShape(generator);
  const from = latentMatrix(options?.from, 'from', 1, latentDim);
  const to = latentMatrix(options.to, 'to', 1, latentDim);
  const samples = latentMatrix(options.samples, 'samples', 1, latentDim);
  const steps = integerAtLeast(options.steps ?? 10, 'steps', 2);
  const range = options.range ?? [-0.5, 0.5];
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((value) => typeof value === 'number' && Number.isFinite(value))
  ) {
    throw new LatentError(`Expected \`range\` to be two finite numbers [first, last], got \`${String(range)}\``);
  }
  const amounts = Array.from({ length: steps }, (_, index) => range[0] + ((range[1] - range[0]) * index) / (steps - 1));
  const direction = turnVector(from, to);
  const latents = alongDirection(samples, direction, amounts);
  const images = generate(generator, latents);
  return { direction, amounts, latents, images, rows: samples.shape[0], columns: steps };
}
