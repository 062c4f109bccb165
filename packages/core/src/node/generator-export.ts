import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { errorCode, fs, randomSuffix, removeIfPresent, syncDirectory, writeNewFileDurably } from '@dcgan/common/node';
import { CheckpointError } from '../errors/checkpoint-error';

const modelFileName = 'model.json';
const weightsFileName = 'weights.bin';

/** What {@link exportGenerator} wrote. */
export interface ExportedGenerator {
  /** Path of `model.json`. */
  readonly modelPath: string;
  /** Path of `weights.bin`. */
  readonly weightsPath: string;
  /** Size of `weights.bin` in bytes. */
  readonly bytes: number;
}

/**
 * Writes the generator in TensorFlow.js layers format, `model.json` + `weights.bin`, which a browser
 * loads with `tf.loadLayersModel('https://…/model.json')`. The files are written to a temporary
 * sibling directory and moved into place, so `directory` never holds a half-written export; an earlier
 * export there is replaced (a directory holding anything else is refused).
 *
 * @example
 * ```ts
 * await exportGenerator('public/generator', trainer.generator);
 * // browser: const generator = await tf.loadLayersModel('/generator/model.json');
 * ```
 */
export async function exportGenerator(directory: string, generator: tfl.LayersModel): Promise<ExportedGenerator> {
  let bytes = 0;
  const temporary = join(dirname(directory), `.${basename(directory)}.tmp-${randomSuffix()}`);
  const previous = join(dirname(directory), `.${basename(directory)}.previous-${randomSuffix()}`);
  try {
    const existing = await listDirectory(directory);
    const foreign = existing?.filter((name) => name !== modelFileName && name !== weightsFileName) ?? [];
    if (foreign.length > 0) {
      throw new CheckpointError(
        `${directory}: refusing to replace a directory that holds other files (${foreign.slice(0, 3).join(', ')})`,
        {
          path: directory,
        },
      );
    }
    await fs.mkdir(temporary, { recursive: true });
    await generator.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
        bytes = weightData.byteLength;
        const modelJson = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
          convertedBy: '@dcgan/core',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs ?? [] }],
        };
        await writeNewFileDurably(join(temporary, weightsFileName), new Uint8Array(weightData));
        await writeNewFileDurably(join(temporary, modelFileName), JSON.stringify(modelJson));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    await syncDirectory(temporary);
    if (existing != null) await fs.rename(directory, previous);
    await fs.rename(temporary, directory);
    await syncDirectory(dirname(directory));
  } catch (error) {
    await removeIfPresent(temporary).catch(() => undefined);
    if (CheckpointError.isInstance(error)) throw error;
    throw new CheckpointError(`Cannot export the generator to ${directory}: ${(error as Error).message}`, {
      path: directory,
      cause: error,
    });
  }
  await removeIfPresent(previous).catch(() => undefined);
  return { modelPath: join(directory, modelFileName), weightsPath: join(directory, weightsFileName), bytes };
}

/**
 * Loads a generator written by {@link exportGenerator} (or any tfjs layers-format model directory whose
 * weights are local files).
 *
 * @example
 * ```ts
 * const generator = await loadGenerator('public/generator');
 * const images = generate(generator, sampleLatent(16, 100, 1));
 * ```
 */
export async function loadGenerator(directory: string): Promise<tfl.LayersModel> {
  const modelPath = join(directory, modelFileName);
  let text: string;
  try {
    text = await fs.readFile(modelPath, 'utf8');
  } catch (error) {
    const problem = errorCode(error) === 'ENOENT' ? 'does not exist' : (error as Error).message;
    throw new CheckpointError(`${modelPath}: ${problem}`, { path: modelPath, cause: error });
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new CheckpointError(`${modelPath}: not valid JSON (${(error as Error).message})`, {
      path: modelPath,
      cause: error,
    });
  }
  if (modelJson?.modelTopology == null || !Array.isArray(modelJson.weightsManifest)) {
    throw new CheckpointError(
      `${modelPath}: not a TensorFlow.js layers model (no \`modelTopology\` or \`weightsManifest\`)`,
      { path: modelPath },
    );
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) {
      const weightsPath = join(directory, path);
      try {
        const data = await fs.readFile(weightsPath);
        buffers.push(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
      } catch (error) {
        const problem = errorCode(error) === 'ENOENT' ? `missing (named by ${modelPath})` : (error as Error).message;
        throw new CheckpointError(`${weightsPath}: ${problem}`, { path: weightsPath, cause: error });
      }
    }
  }
  const weightData = tf.io.CompositeArrayBuffer.join(buffers);
  const expectedBytes = weightSpecs.reduce(
    (total, spec) => total + spec.shape.reduce((product, size) => product * size, 1) * 4,
    0,
  );
  if (weightData.byteLength !== expectedBytes) {
    throw new CheckpointError(
      `${directory}: weights hold ${weightData.byteLength} bytes, ${modelPath} describes ${expectedBytes} (truncated or mismatched)`,
      {
        path: directory,
      },
    );
  }
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
    );
  } catch (error) {
    throw new CheckpointError(`${modelPath}: cannot build the model: ${(error as Error).message}`, {
      path: modelPath,
      cause: error,
    });
  }
}

async function listDirectory(directory: string): Promise<string[] | undefined> {
  try {
    return await fs.readdir(directory);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
