import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { openDataset, type DatasetFormat, type OpenedDataset } from '@dcgan/data';

import type { DedupArguments } from './arguments.js';

/** The folders a command writes to, created before any work so that a long run never fails at its first write. */
export async function createOutputFolders(arguments_: DedupArguments): Promise<void> {
  const folders = [
    arguments_.out,
    arguments_.command === 'train' || (arguments_.command === 'run' && arguments_.hasher !== null)
      ? dirname(arguments_.hasher!)
      : null,
  ];
  for (const folder of folders) {
    if (folder === null) continue;
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw new Error(`cannot create the output folder ${folder}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** A dataset as the hasher's input: photos as a centre crop scaled to the input size (the paper's 4.1.1 recipe). */
export function openHasherInput(
  arguments_: DedupArguments,
  path: string | null,
  format: DatasetFormat | null,
): Promise<OpenedDataset> {
  return openDataset(path, {
    format: format ?? 'auto',
    size: arguments_.imageSize,
    channels: arguments_.channels,
    photoFit: 'crop-then-resize',
  });
}

/** The source the hasher is trained on: `--train-data` when given, else the data itself. */
export async function trainingSet(arguments_: DedupArguments, data: OpenedDataset): Promise<OpenedDataset> {
  if (arguments_.trainData === null) return data;
  const opened = await openHasherInput(arguments_, arguments_.trainData, arguments_.trainFormat);
  process.stderr.write(`training the hasher on ${opened.source.description} (--train-data)\n`);
  return opened;
}
