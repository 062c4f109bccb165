import { generate } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { integerAtLeast, latentMatrix } from '../errors/validate';
import { generatorShape } from '../model/generator-shape';
import { latentArithmetic, noisyNeighbours } from '../vectors/latent-arithmetic';

/** Options of {@link vectorArithmetic}. */
export interface VectorArithmeticOptions {
  /** Latent vectors of concept A, `[count, latentDim]` (the paper uses 3 per concept). */
  readonly a: tf.Tensor2D;
  /** Latent vectors of concept B, subtracted. */
  readonly b: tf.Tensor2D;
  /** Latent vectors of concept C, added. */
  readonly c: tf.Tensor2D;
  /**
   * Samples around the result, each with uniform noise added.
   * @default 8
   */
  readonly neighbours?: number;
  /**
   * Half-width of the uniform noise of the neighbours.
   * @default 0.25
   */
  readonly noiseScale?: number;
  /**
   * Seed of the neighbours' noise.
   * @default 1
   */
  readonly seed?: number;
}

/** What {@link vectorArithmetic} computed; the caller owns (and disposes) every tensor. */
export interface VectorArithmeticResult {
  /** `mean(a) - mean(b) + mean(c)`, `[latentDim]`. */
  readonly result: tf.Tensor1D;
  /** The result and its noisy neighbours, `[1 + neighbours, latentDim]`, the result at {@link centerIndex}. */
  readonly latents: tf.Tensor2D;
  /** `G(latents)`: with 8 neighbours, a 3x3 block whose centre is the result. */
  readonly resultImages: tf.Tensor4D;
  /** Index of the exact result in `latents` / `resultImages` (the middle). */
  readonly centerIndex: number;
  /** The samples of each concept, `G(a)`, `G(b)`, `G(c)`. */
  readonly conceptImages: { readonly a: tf.Tensor4D; readonly b: tf.Tensor4D; readonly c: tf.Tensor4D };
  /** `G(mean(a))`, `G(mean(b))`, `G(mean(c))`: `[3, size, size, channels]`. */
  readonly averageImages: tf.Tensor4D;
  /**
   * The same arithmetic on pixels, `mean(G(a)) - mean(G(b)) + mean(G(c))` clipped to [-1, 1],
   * `[1, size, size, channels]`: the paper's contrast, a noisy overlay of misaligned images.
   */
  readonly pixelSpace: tf.Tensor4D;
}

/**
 * The paper's vector arithmetic on face samples (section 6.3.2, figure 7): average the Z of each
 * concept's samples, compute `A - B + C`, and render the result with noisy neighbours next to the same
 * arithmetic done in pixel space.
 *
 * @example
 * ```ts
 * const pick = (indices: number[]) => tf.gather(z, indices) as tf.Tensor2D;
 * const out = vectorArithmetic(generator, { a: pick([2, 9, 14]), b: pick([1, 5, 6]), c: pick([0, 3, 8]), seed: 2 });
 * ```
 */
export function vectorArithmetic(generator: tfl.LayersModel, options: VectorArithmeticOptions): VectorArithmeticResult {
  const { latentDim } = generatorShape(generator);
  const a = latentMatrix(options?.a, 'a', 1, latentDim);
  const b = latentMatrix(options.b, 'b', 1, latentDim);
  const c = latentMatrix(options.c, 'c', 1, latentDim);
  const neighbours = integerAtLeast(options.neighbours ?? 8, 'neighbours', 0);
  const result = latentArithmetic(a, b, c);
  const centerIndex = Math.floor(neighbours / 2);
  const latents = tf.tidy(() => {
    const center = tf.reshape(result, [1, latentDim]);
    if (neighbours === 0) return center as tf.Tensor2D;
    const around = noisyNeighbours(result, {
      count: neighbours,
      noiseScale: options.noiseScale ?? 0.25,
      seed: options.seed ?? 1,
    });
    const before = tf.slice(around, [0, 0], [centerIndex, latentDim]);
    const after = tf.slice(around, [centerIndex, 0], [neighbours - centerIndex, latentDim]);
    return tf.concat([before, center, after], 0) as tf.Tensor2D;
  });
  const resultImages = generate(generator, latents);
  const conceptImages = { a: generate(generator, a), b: generate(generator, b), c: generate(generator, c) };
  const averages = tf.tidy(() => tf.stack([tf.mean(a, 0), tf.mean(b, 0), tf.mean(c, 0)]) as tf.Tensor2D);
  const averageImages = generate(generator, averages);
  averages.dispose();
  const pixelSpace = tf.tidy(() => {
    const [meanA, meanB, meanC] = [conceptImages.a, conceptImages.b, conceptImages.c].map((images) =>
      tf.mean(images, 0),
    );
    return tf.expandDims(tf.clipByValue(tf.add(tf.sub(meanA!, meanB!), meanC!), -1, 1), 0) as tf.Tensor4D;
  });
  return { result, latents, resultImages, centerIndex, conceptImages, averageImages, pixelSpace };
}

/** A figure assembled from generated images, row-major, blank tiles at -1 (black). */
export interface ImageFigure {
  /** `[rows * columns, size, size, channels]` in [-1, 1]. */
  readonly images: tf.Tensor4D;
  readonly rows: number;
  readonly columns: number;
}

/**
 * Lays a {@link VectorArithmeticResult} out like the paper's figure 7, for 3 samples per concept and 8
 * neighbours: one column per concept (A, B, C; its samples, then the image of its mean z), and a 3x3
 * block with the result in the middle; the pixel-space result sits under the block's centre. The
 * caller owns the result.
 *
 * ```
 * a0 b0 c0 | r0 r1 r2
 * a1 b1 c1 | r3 Y  r5
 * a2 b2 c2 | r6 r7 r8
 * Ga Gb Gc | -  P  -     (G = image of the mean z, Y = A - B + C, P = pixel space)
 * ```
 *
 * @example
 * ```ts
 * const figure = arithmeticFigure(vectorArithmetic(generator, { a, b, c }));
 * const grid = await imageGrid(figure.images, { columns: figure.columns });
 * ```
 */
export function arithmeticFigure(result: VectorArithmeticResult): ImageFigure {
  const { conceptImages, resultImages, averageImages, pixelSpace } = result;
  const samples = Math.max(conceptImages.a.shape[0], conceptImages.b.shape[0], conceptImages.c.shape[0]);
  const resultColumns = Math.ceil(Math.sqrt(resultImages.shape[0]));
  const resultRows = Math.ceil(resultImages.shape[0] / resultColumns);
  const rows = Math.max(samples, resultRows) + 1;
  const columns = 3 + resultColumns;
  return tf.tidy(() => {
    const [, height, width, channels] = resultImages.shape;
    const blank = tf.fill([height, width, channels], -1) as tf.Tensor3D;
    const tiles: tf.Tensor3D[] = Array.from({ length: rows * columns }, () => blank);
    const put = (row: number, column: number, image: tf.Tensor3D) => {
      tiles[row * columns + column] = image;
    };
    [conceptImages.a, conceptImages.b, conceptImages.c].forEach((images, column) => {
      tf.unstack(images).forEach((image, row) => put(row, column, image as tf.Tensor3D));
      put(rows - 1, column, tf.squeeze(tf.slice(averageImages, [column], [1]), [0]) as tf.Tensor3D);
    });
    tf.unstack(resultImages).forEach((image, index) =>
      put(Math.floor(index / resultColumns), 3 + (index % resultColumns), image as tf.Tensor3D),
    );
    put(rows - 1, 3 + Math.floor(resultColumns / 2), tf.squeeze(pixelSpace, [0]) as tf.Tensor3D);
    return { images: tf.stack(tiles) as tf.Tensor4D, rows, columns };
  });
}
