import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { errorCode, fs, randomSuffix, removeIfPresent, writeFileAtomic, writeNewFileDurably } from '@dcgan/common/node';
import { CheckpointError } from '../errors/checkpoint-error';
import { resolveDcganConfig, sameDcganConfig, type DcganConfig, type DcganConfigOptions } from '../model/dcgan-config';
import { Trainer } from '../training/trainer';
import type { ResolvedTrainerOptions } from '../training/trainer-options';
import {
  trainerStateGroups,
  type TensorData,
  type TrainerState,
  type TrainerStateGroup,
} from '../training/trainer-state';

/** Name of the manifest inside a checkpoint directory; it names the weights file it goes with. */
export const checkpointManifestName = 'checkpoint.json';
const manifestFormat = 'dcgan-ts-checkpoint';
const manifestVersion = 1;
const weightsPattern = /^weights-\d+-[0-9a-f]+\.bin$/;
const temporaryManifestPattern = /^checkpoint\.json\.tmp-[0-9a-f]+$/;

interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly offset: number;
  readonly byteLength: number;
}

interface CheckpointManifest {
  readonly format: typeof manifestFormat;
  readonly version: typeof manifestVersion;
  readonly createdAt: string;
  readonly weightsFile: string;
  readonly weightsByteLength: number;
  readonly weightsSha256: string;
  readonly options: ResolvedTrainerOptions;
  readonly completedSteps: number;
  readonly epoch: number;
  readonly tensors: Readonly<Record<TrainerStateGroup, readonly TensorEntry[]>>;
}

/** What {@link saveCheckpoint} wrote. */
export interface SavedCheckpoint {
  /** The checkpoint directory. */
  readonly path: string;
  /** Steps completed at save time. */
  readonly step: number;
  /** Size of the weights file in bytes. */
  readonly bytes: number;
}

/** A checkpoint's metadata, read without loading its tensors ({@link readCheckpointInfo}). */
export interface CheckpointInfo {
  readonly path: string;
  readonly createdAt: string;
  readonly options: ResolvedTrainerOptions;
  readonly completedSteps: number;
  readonly epoch: number;
}

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /**
   * The architecture this run expects; a checkpoint of another architecture is refused with a message
   * listing the differences.
   * @default undefined (accept the checkpoint's own config)
   */
  readonly expectedConfig?: DcganConfigOptions;
}

/**
 * Saves everything needed to resume `trainer` exactly (both models with batch-norm statistics, both
 * Adam states, step, epoch, seeds, options and config) into `directory`, atomically: the weights go to
 * a new uniquely named file, then `checkpoint.json` is replaced in one rename. A crash or kill at any
 * point leaves the previous checkpoint loadable; older weights files are removed only afterwards. Only
 * files this function names (`checkpoint.json`, `weights-*.bin`) are touched. Emits a `checkpoint` event.
 *
 * @example
 * ```ts
 * if (trainer.completedSteps % 500 === 0) await saveCheckpoint('runs/mnist/checkpoint', trainer);
 * ```
 */
export async function saveCheckpoint(directory: string, trainer: Trainer): Promise<SavedCheckpoint> {
  const started = Date.now();
  const state = await trainer.getState();
  const { bytes, tensors } = packTensors(state);
  const weightsFile = `weights-${String(state.completedSteps).padStart(8, '0')}-${randomSuffix()}.bin`;
  const manifest: CheckpointManifest = {
    format: manifestFormat,
    version: manifestVersion,
    createdAt: new Date().toISOString(),
    weightsFile,
    weightsByteLength: bytes.byteLength,
    weightsSha256: createHash('sha256').update(bytes).digest('hex'),
    options: state.options,
    completedSteps: state.completedSteps,
    epoch: state.epoch,
    tensors,
  };
  const weightsPath = join(directory, weightsFile);
  const manifestPath = join(directory, checkpointManifestName);
  try {
    await fs.mkdir(directory, { recursive: true });
    await writeNewFileDurably(weightsPath, bytes);
    // The commit point: the rename inside replaces checkpoint.json (and removes its temporary file on failure).
    await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (error) {
    // The new weights file is only removed while no manifest names it.
    const committed = await readManifestWeightsName(manifestPath);
    if (committed !== weightsFile) await removeIfPresent(weightsPath).catch(() => undefined);
    throw new CheckpointError(`Cannot write checkpoint to ${directory}: ${(error as Error).message}`, {
      path: directory,
      cause: error,
    });
  }
  await removeStaleFiles(directory, weightsFile);
  trainer.emit({
    status: 'checkpoint',
    step: state.completedSteps,
    epoch: state.epoch,
    path: directory,
    seconds: (Date.now() - started) / 1000,
  });
  return { path: directory, step: state.completedSteps, bytes: bytes.byteLength };
}

/**
 * Reads a checkpoint's metadata (config, options, step, epoch) without loading tensors, e.g. to check
 * `--resume` arguments before training.
 *
 * @example
 * ```ts
 * const { completedSteps, options } = await readCheckpointInfo('runs/mnist/checkpoint');
 * ```
 */
export async function readCheckpointInfo(directory: string): Promise<CheckpointInfo> {
  const manifest = await readManifest(directory);
  return {
    path: directory,
    createdAt: manifest.createdAt,
    options: manifest.options,
    completedSteps: manifest.completedSteps,
    epoch: manifest.epoch,
  };
}

/**
 * Loads a checkpoint written by {@link saveCheckpoint} into a new {@link Trainer} that continues exactly
 * where the saved one stopped. A missing, corrupt or mismatched checkpoint throws a
 * {@link CheckpointError} whose message names the file and what is wrong.
 *
 * @example
 * ```ts
 * const trainer = await loadCheckpoint('runs/mnist/checkpoint', { expectedConfig: dcganPresets.dcgan32 });
 * ```
 */
export async function loadCheckpoint(directory: string, options: LoadCheckpointOptions = {}): Promise<Trainer> {
  const manifestPath = join(directory, checkpointManifestName);
  const manifest = await readManifest(directory);
  if (options.expectedConfig != null) {
    const expected = resolveDcganConfig(options.expectedConfig);
    let saved: DcganConfig;
    try {
      saved = resolveDcganConfig(manifest.options.config);
    } catch (error) {
      throw new CheckpointError(`${manifestPath}: invalid model config: ${(error as Error).message}`, {
        path: manifestPath,
        cause: error,
      });
    }
    if (!sameDcganConfig(saved, expected)) {
      const differences = (Object.keys(expected) as Array<keyof DcganConfig>)
        .filter((key) => saved[key] !== expected[key])
        .map((key) => `${key} ${String(saved[key])} (this run asks for ${String(expected[key])})`);
      throw new CheckpointError(`${manifestPath}: checkpoint is for another model: ${differences.join(', ')}`, {
        path: manifestPath,
      });
    }
  }
  const weightsPath = join(directory, manifest.weightsFile);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(weightsPath);
  } catch (error) {
    const problem = errorCode(error) === 'ENOENT' ? `missing (named by ${manifestPath})` : (error as Error).message;
    throw new CheckpointError(`${weightsPath}: ${problem}`, { path: weightsPath, cause: error });
  }
  if (bytes.byteLength !== manifest.weightsByteLength) {
    throw new CheckpointError(
      `${weightsPath}: has ${bytes.byteLength} bytes, ${manifestPath} expects ${manifest.weightsByteLength} (truncated or replaced)`,
      {
        path: weightsPath,
      },
    );
  }
  if (createHash('sha256').update(bytes).digest('hex') !== manifest.weightsSha256) {
    throw new CheckpointError(`${weightsPath}: SHA-256 does not match ${manifestPath} (the file is corrupt)`, {
      path: weightsPath,
    });
  }
  const state = unpackTensors(manifest, bytes, manifestPath);
  try {
    return await Trainer.fromState(state);
  } catch (error) {
    throw new CheckpointError(`${manifestPath}: ${(error as Error).message}`, { path: manifestPath, cause: error });
  }
}

function packTensors(state: TrainerState): { bytes: Uint8Array; tensors: Record<TrainerStateGroup, TensorEntry[]> } {
  let byteLength = 0;
  for (const group of trainerStateGroups) for (const tensor of state[group]) byteLength += tensor.values.byteLength;
  const bytes = new Uint8Array(byteLength);
  let offset = 0;
  const tensors = {} as Record<TrainerStateGroup, TensorEntry[]>;
  for (const group of trainerStateGroups) {
    tensors[group] = state[group].map((tensor) => {
      const view = new Uint8Array(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength);
      bytes.set(view, offset);
      const entry: TensorEntry = {
        name: tensor.name,
        shape: [...tensor.shape],
        dtype: tensor.dtype,
        offset,
        byteLength: view.byteLength,
      };
      offset += view.byteLength;
      return entry;
    });
  }
  return { bytes, tensors };
}

function unpackTensors(manifest: CheckpointManifest, bytes: Buffer, manifestPath: string): TrainerState {
  const fail = (message: string): never => {
    throw new CheckpointError(`${manifestPath}: ${message}`, { path: manifestPath });
  };
  const groups = {} as Record<TrainerStateGroup, TensorData[]>;
  for (const group of trainerStateGroups) {
    const entries: readonly TensorEntry[] = manifest.tensors[group];
    if (!Array.isArray(entries)) fail(`\`tensors.${group}\` is missing`);
    groups[group] = entries.map((entry, index) => {
      const label = `\`tensors.${group}[${index}]\``;
      if (entry == null || typeof entry !== 'object') return fail(`${label} is not an object`);
      const { name, shape, dtype, offset, byteLength } = entry;
      if (typeof name !== 'string') fail(`${label} has no name`);
      if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0))
        fail(`${label} (${name}) has a bad shape`);
      if (dtype !== 'float32' && dtype !== 'int32')
        fail(`${label} (${name}) has unsupported dtype \`${String(dtype)}\``);
      const expectedBytes = (shape as number[]).reduce((product: number, size: number) => product * size, 1) * 4;
      if (byteLength !== expectedBytes)
        fail(`${label} (${name}) has ${String(byteLength)} bytes for shape [${shape.join(', ')}]`);
      if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0 || offset + byteLength > bytes.byteLength) {
        fail(`${label} (${name}) lies outside the weights file`);
      }
      // Copy into an aligned buffer of its own (Buffer offsets need not be multiples of 4).
      const copy = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + byteLength);
      return { name, shape, dtype, values: dtype === 'float32' ? new Float32Array(copy) : new Int32Array(copy) };
    });
  }
  return { options: manifest.options, completedSteps: manifest.completedSteps, epoch: manifest.epoch, ...groups };
}

async function readManifest(directory: string): Promise<CheckpointManifest> {
  const manifestPath = join(directory, checkpointManifestName);
  let text: string;
  try {
    text = await fs.readFile(manifestPath, 'utf8');
  } catch (error) {
    const problem =
      errorCode(error) === 'ENOENT'
        ? `no checkpoint here (${checkpointManifestName} does not exist)`
        : (error as Error).message;
    throw new CheckpointError(`${manifestPath}: ${problem}`, { path: manifestPath, cause: error });
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${manifestPath}: not valid JSON (${(error as Error).message})`, {
      path: manifestPath,
      cause: error,
    });
  }
  const fail = (message: string): never => {
    throw new CheckpointError(`${manifestPath}: ${message}`, { path: manifestPath });
  };
  if (manifest == null || typeof manifest !== 'object') return fail('expected a JSON object');
  const record = manifest as Record<string, unknown>;
  if (record.format !== manifestFormat) fail(`not a DCGAN-TS checkpoint (format \`${String(record.format)}\`)`);
  if (record.version !== manifestVersion)
    fail(`unsupported checkpoint version \`${String(record.version)}\` (this library reads ${manifestVersion})`);
  if (typeof record.weightsFile !== 'string' || !weightsPattern.test(record.weightsFile))
    fail('`weightsFile` is missing or not a weights file name');
  if (!Number.isInteger(record.weightsByteLength)) fail('`weightsByteLength` is missing');
  if (typeof record.weightsSha256 !== 'string') fail('`weightsSha256` is missing');
  if (record.options == null || typeof record.options !== 'object') fail('`options` is missing');
  for (const key of ['completedSteps', 'epoch'] as const) {
    if (!Number.isSafeInteger(record[key]) || (record[key] as number) < 0)
      fail(`\`${key}\` is missing or not a non-negative integer`);
  }
  if (record.tensors == null || typeof record.tensors !== 'object') fail('`tensors` is missing');
  return manifest as CheckpointManifest;
}

async function readManifestWeightsName(manifestPath: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await fs.readFile(manifestPath, 'utf8')) as { weightsFile?: string }).weightsFile;
  } catch {
    return undefined;
  }
}

/** Deletes weights files and temporary manifests left by earlier saves (best effort: the checkpoint is already safe). */
async function removeStaleFiles(directory: string, keep: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((name) => name !== keep && (weightsPattern.test(name) || temporaryManifestPattern.test(name)))
      .map((name) => removeIfPresent(join(directory, name)).catch(() => undefined)),
  );
}
