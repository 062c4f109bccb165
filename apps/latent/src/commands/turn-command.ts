import { join } from 'node:path';

import { sampleLatent } from '@dcgan/core';
import { generatorShape, turnWalk } from '@dcgan/latent';
import * as tf from '@tensorflow/tfjs-core';

import { tensorToTiles, writeGrid } from '../grid-image.js';
import type { CommandContext, CommandResult } from './command-context.js';
import { pick, writeSampleSheet } from './sample-sheet.js';

export interface TurnCommandOptions {
  readonly count: number;
  readonly from: readonly number[] | null;
  readonly to: readonly number[] | null;
  readonly rows: number;
  readonly steps: number;
  readonly range: readonly [number, number];
}

/** Figure 8: a direction from two picked sets, applied to fresh random samples (drawn with seed + 1). */
export async function turnCommand(context: CommandContext, options: TurnCommandOptions): Promise<CommandResult> {
  const sheet = await writeSampleSheet(context, 'turn-samples.png', options.count, context.seed);
  context.log(`sample sheet (seed ${context.seed}, ${options.count} samples, numbered) -> ${sheet.path}`);
  try {
    if (options.from === null || options.to === null) {
      return {
        files: [sheet.path],
        hint: `pick samples of each end of the turn (e.g. digits slanting left, then right) from ${sheet.path}, then run again with --seed ${context.seed} --from i,j,.. --to i,j,..`,
      };
    }
    const { latentDim } = generatorShape(context.models.generator);
    const from = pick(sheet.z, options.from);
    const to = pick(sheet.z, options.to);
    const samples = sampleLatent(options.rows, latentDim, context.seed + 1);
    const turn = turnWalk(context.models.generator, { from, to, samples, steps: options.steps, range: options.range });
    const path = join(context.out, 'turn.png');
    try {
      await writeGrid(path, await tensorToTiles(turn.images), { columns: turn.columns, zoom: context.zoom });
    } finally {
      tf.dispose([from, to, samples, turn.direction, turn.latents, turn.images]);
    }
    context.log(
      `turn: mean(to [${options.to.join(', ')}]) - mean(from [${options.from.join(', ')}]), ${options.rows} random samples moved ` +
        `from ${options.range[0]} to ${options.range[1]} times it -> ${path}`,
    );
    return { files: [sheet.path, path] };
  } finally {
    sheet.z.dispose();
  }
}
