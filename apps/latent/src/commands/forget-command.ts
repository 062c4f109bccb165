import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { UsageError } from '@dcgan/cli';
import { generate, sampleLatent } from '@dcgan/core';
import { writeFileAtomic } from '@dcgan/data';
import {
  fitObjectFeatureMaps,
  generateWithoutFeatureMaps,
  generatorShape,
  parseBoxesFile,
  type BoxesFile,
} from '@dcgan/latent';
import * as tf from '@tensorflow/tfjs-core';

import { outlineBox, tensorToTiles, toRgbImage, writeGrid, zoomImage } from '../grid-image.js';
import type { CommandContext, CommandResult } from './command-context.js';
import { writeSampleSheet } from './sample-sheet.js';

export interface ForgetCommandOptions {
  readonly count: number;
  readonly boxes: string | null;
  readonly render: number;
  readonly negatives: number;
  readonly l2: number;
  /** Generator layer whose maps are classified and dropped. */
  readonly layer: string;
}

/** Interleaves rows of `columns` originals with the same samples rendered without the dropped maps. */
function pairedRows<T>(originals: readonly T[], forgotten: readonly T[], columns: number): T[] {
  const tiles: T[] = [];
  for (let start = 0; start < originals.length; start += columns) {
    tiles.push(...originals.slice(start, start + columns), ...forgotten.slice(start, start + columns));
  }
  return tiles;
}

async function readBoxes(path: string, imageSize: number): Promise<BoxesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${path}: cannot read the boxes file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const file = parseBoxesFile(text, path);
  if (file.imageSize !== imageSize) {
    throw new UsageError(
      `${path}: boxes were drawn on ${file.imageSize}px images, but this generator makes ${imageSize}px images`,
    );
  }
  return file;
}

/**
 * Section 6.3.1 and figure 6. Without boxes: the numbered sheet and a boxes template. With boxes: the
 * fitted maps (forget.json), the boxes drawn on their samples, and samples with and without the maps.
 */
export async function forgetCommand(context: CommandContext, options: ForgetCommandOptions): Promise<CommandResult> {
  const { generator } = context.models;
  const { latentDim, imageSize } = generatorShape(generator);
  if (options.boxes === null) {
    const sheet = await writeSampleSheet(context, 'forget-samples.png', options.count, context.seed);
    sheet.z.dispose();
    const template = join(context.out, 'forget-boxes.template.json');
    const example = {
      seed: context.seed,
      count: options.count,
      imageSize,
      boxes: [{ sample: 0, x: 0, y: 0, width: imageSize / 2, height: imageSize / 2 }],
    };
    await writeFileAtomic(template, new TextEncoder().encode(`${JSON.stringify(example, null, 2)}\n`));
    context.log(`sample sheet (seed ${context.seed}, ${options.count} samples, numbered) -> ${sheet.path}`);
    return {
      files: [sheet.path, template],
      hint:
        `draw boxes around the object to forget on samples of ${sheet.path} (pixel coordinates of the ${imageSize}px image, ` +
        `not of the zoomed sheet), list them in a copy of ${template}, then run again with --boxes <file>`,
    };
  }
  const file = await readBoxes(options.boxes, imageSize);
  const z = sampleLatent(file.count, latentDim, file.seed);
  const found = await fitObjectFeatureMaps(generator, z, file.boxes, {
    negativesPerPositive: options.negatives,
    l2: options.l2,
    seed: context.seed,
    layer: options.layer,
  });
  const files: string[] = [];
  const reportPath = join(context.out, 'forget.json');
  await writeFileAtomic(
    reportPath,
    new TextEncoder().encode(`${JSON.stringify({ boxes: options.boxes, ...found }, null, 2)}\n`),
  );
  files.push(reportPath);
  context.log(
    `forget: logistic regression on ${found.layerName} (${found.mapCount} maps, ${found.featureSize}x${found.featureSize}): ` +
      `${found.positives} positions in boxes, ${found.negatives} negatives (${found.boxedNegatives} in negative boxes); training accuracy ${(found.trainingAccuracy * 100).toFixed(1)}%` +
      `${found.converged ? '' : ' (did not converge)'}; dropping ${found.droppedMaps.length} of ${found.mapCount} maps (positive weight) -> ${reportPath}`,
  );

  const annotated = [...new Set(file.boxes.map((box) => box.sample))].sort((a, b) => a - b);
  const annotatedZ = tf.gather(z, annotated) as tf.Tensor2D;
  const fresh = sampleLatent(options.render, latentDim, context.seed + 1);
  const images = {
    annotated: generate(generator, annotatedZ),
    annotatedForgotten: generateWithoutFeatureMaps(generator, annotatedZ, found.droppedMaps, found.layerName),
    fresh: generate(generator, fresh),
    freshForgotten: generateWithoutFeatureMaps(generator, fresh, found.droppedMaps, found.layerName),
  };
  try {
    const annotatedTiles = await tensorToTiles(images.annotated);
    const boxed = annotatedTiles.map((tile, index) =>
      file.boxes
        .filter((box) => box.sample === annotated[index])
        .reduce((image, box) => outlineBox(image, box, context.zoom), toRgbImage(zoomImage(tile, context.zoom))),
    );
    const columns = Math.min(8, annotated.length);
    const boxesPath = join(context.out, 'forget-boxes.png');
    await writeGrid(boxesPath, boxed, { columns, zoom: 1 });
    const annotatedPath = join(context.out, 'forget-annotated.png');
    await writeGrid(
      annotatedPath,
      pairedRows(annotatedTiles, await tensorToTiles(images.annotatedForgotten), columns),
      { columns, zoom: context.zoom },
    );
    const freshColumns = Math.min(8, options.render);
    const freshPath = join(context.out, 'forget.png');
    await writeGrid(
      freshPath,
      pairedRows(await tensorToTiles(images.fresh), await tensorToTiles(images.freshForgotten), freshColumns),
      {
        columns: freshColumns,
        zoom: context.zoom,
      },
    );
    files.push(boxesPath, annotatedPath, freshPath);
    context.log(`boxes as drawn (red: object, blue: negative) -> ${boxesPath}`);
    context.log(`the boxed samples, each row followed by the same samples without the maps -> ${annotatedPath}`);
    context.log(
      `${options.render} new samples (seed ${context.seed + 1}), each row followed by the same z without the maps -> ${freshPath}`,
    );
  } finally {
    tf.dispose([z, annotatedZ, fresh, ...Object.values(images)]);
  }
  return { files };
}
