import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { DedupArguments } from './arguments.js';
import { openDataset, type OpenedDataset } from './open-dataset.js';

/** The folders a command writes to, created before any work so that a long run never fails at its first write. */
export async function createOutputFolders(arguments_: DedupArguments): Promise<void> {
  const folders = [arguments_.out, arguments_.command === 'train' || (arguments_.command === 'run' && arguments_.hasher !== null) ? dirname(arguments_.hasher!) : null];
  for (const folder of folders) {
    if (folder === null) continue;
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw new Error(`cannot create the output folder ${folder}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** The source the hasher is trained on: `--train-data` when given, else the data itself. */
export async function trainingSet(arguments_: DedupArguments, data: OpenedDataset): Promise<OpenedDataset> {
  if (arguments_.trainData === null) return data;
  const opened = await openDataset(arguments_.trainData, arguments_.trainFormat, arguments_.imageSize, arguments_.channels);
  process.stderr.write(`training the hasher on ${opened.source.description} (--train-data)\n`);
  return opened;
}

