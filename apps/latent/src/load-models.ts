import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { UsageError } from '@dcgan/cli';
import type { DcganConfig } from '@dcgan/core';
import { checkpointManifestName, loadCheckpoint, loadGenerator } from '@dcgan/core/node';
import type * as tfl from '@tensorflow/tfjs-layers';

/** The models behind `--checkpoint`. */
export interface LoadedModels {
  readonly generator: tfl.LayersModel;
  /** Null when only an exported generator was given. */
  readonly discriminator: tfl.LayersModel | null;
  /** The architecture, known from a training checkpoint (null for a bare exported generator). */
  readonly config: DcganConfig | null;
  /** What was loaded, for messages. */
  readonly description: string;
  /** The run folder (default parent of the output folder). */
  readonly runDirectory: string;
  dispose(): void;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds and loads what `path` names: a training checkpoint (`checkpoint.json`), a dcgan-train run
 * folder holding `checkpoint/`, or an exported generator (`model.json`, or a run's `generator/`).
 * A training checkpoint wins when both are there: it has the discriminator too.
 */
export async function loadModels(path: string): Promise<LoadedModels> {
  const directory = resolve(path);
  const checkpointCandidates = [directory, join(directory, 'checkpoint')];
  for (const candidate of checkpointCandidates) {
    if (await isFile(join(candidate, checkpointManifestName))) {
      const trainer = await loadCheckpoint(candidate);
      return {
        generator: trainer.generator,
        discriminator: trainer.discriminator,
        config: trainer.config,
        description: `checkpoint ${candidate} (step ${trainer.completedSteps})`,
        runDirectory: candidate === directory && basename(directory) === 'checkpoint' ? dirname(directory) : directory,
        dispose: () => trainer.dispose(),
      };
    }
  }
  for (const candidate of [directory, join(directory, 'generator')]) {
    if (await isFile(join(candidate, 'model.json'))) {
      const generator = await loadGenerator(candidate);
      return {
        generator,
        discriminator: null,
        config: null,
        description: `exported generator ${candidate}`,
        runDirectory: candidate === directory && basename(directory) === 'generator' ? dirname(directory) : directory,
        dispose: () => generator.dispose(),
      };
    }
  }
  throw new UsageError(
    `${directory}: no checkpoint here (looked for ${checkpointManifestName} in it and in checkpoint/, and for an exported generator's model.json in it and in generator/)`,
  );
}
