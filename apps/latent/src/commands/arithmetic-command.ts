import { join } from 'node:path';

import { arithmeticFigure, vectorArithmetic } from '@dcgan/latent';
import * as tf from '@tensorflow/tfjs-core';

import { tensorToTiles, writeGrid } from '../grid-image.js';
import type { CommandContext, CommandResult } from './command-context.js';
import { pick, writeSampleSheet } from './sample-sheet.js';

export interface ArithmeticCommandOptions {
  readonly count: number;
  readonly a: readonly number[] | null;
  readonly b: readonly number[] | null;
  readonly c: readonly number[] | null;
  readonly neighbours: number;
  readonly noise: number;
}

/** Figure 7: the numbered sheet, and with picks, A - B + C with its neighbours and the pixel-space contrast. */
export async function arithmeticCommand(
  context: CommandContext,
  options: ArithmeticCommandOptions,
): Promise<CommandResult> {
  const sheet = await writeSampleSheet(context, 'arithmetic-samples.png', options.count, context.seed);
  context.log(`sample sheet (seed ${context.seed}, ${options.count} samples, numbered) -> ${sheet.path}`);
  try {
    if (options.a === null || options.b === null || options.c === null) {
      return {
        files: [sheet.path],
        hint: `pick about 3 samples per concept from ${sheet.path}, then run again with --seed ${context.seed} --a i,j,k --b i,j,k --c i,j,k (A - B + C)`,
      };
    }
    const [a, b, c] = [pick(sheet.z, options.a), pick(sheet.z, options.b), pick(sheet.z, options.c)];
    const result = vectorArithmetic(context.models.generator, {
      a,
      b,
      c,
      neighbours: options.neighbours,
      noiseScale: options.noise,
      seed: context.seed,
    });
    const figure = arithmeticFigure(result);
    const path = join(context.out, 'arithmetic.png');
    try {
      await writeGrid(path, await tensorToTiles(figure.images), { columns: figure.columns, zoom: context.zoom });
    } finally {
      tf.dispose([
        a,
        b,
        c,
        figure.images,
        result.result,
        result.latents,
        result.resultImages,
        result.averageImages,
        result.pixelSpace,
        ...Object.values(result.conceptImages),
      ]);
    }
    context.log(
      `arithmetic: A [${options.a.join(', ')}] - B [${options.b.join(', ')}] + C [${options.c.join(', ')}] -> ${path}\n` +
        '  columns A, B, C: the picked samples, then (last row) the image of their mean z; right: A - B + C in the\n' +
        `  middle of ${options.neighbours} samples with uniform noise +-${options.noise}; under it, the same arithmetic on pixels`,
    );
    return { files: [sheet.path, path] };
  } finally {
    sheet.z.dispose();
  }
}
