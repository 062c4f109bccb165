import { join } from 'node:path';

import { walkGrid } from '@dcgan/latent';
import * as tf from '@tensorflow/tfjs-core';

import { tensorToTiles, writeGrid } from '../grid-image.js';
import type { CommandContext, CommandResult } from './command-context.js';

export interface WalkCommandOptions {
  readonly rows: number;
  readonly points: number;
  readonly steps: number;
  readonly method: 'linear' | 'spherical' | 'both';
}

/** Figure 4: one PNG per interpolation method, each row a walk through random points. */
export async function walkCommand(context: CommandContext, options: WalkCommandOptions): Promise<CommandResult> {
  const methods = options.method === 'both' ? (['linear', 'spherical'] as const) : [options.method];
  const files: string[] = [];
  for (const method of methods) {
    const grid = walkGrid(context.models.generator, {
      rows: options.rows,
      points: options.points,
      stepsPerSegment: options.steps,
      method,
      seed: context.seed,
    });
    try {
      const path = join(context.out, `walk-${method}.png`);
      await writeGrid(path, await tensorToTiles(grid.images), { columns: grid.columns, zoom: context.zoom });
      context.log(`walk (${method}): ${grid.rows} rows x ${grid.columns} images -> ${path}`);
      files.push(path);
    } finally {
      tf.dispose([grid.images, grid.latents]);
    }
  }
  return { files };
}
