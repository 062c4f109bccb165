import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DcganError } from '@dcgan/common';
import { fs } from '@dcgan/common/node';
import { CheckpointError } from '../errors/checkpoint-error';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistDigits } from '../test-support/mnist-digits';
import type { TrainerEvent } from '../training/trainer-events';
import type { TrainerOptions } from '../training/trainer-options';
import type { TrainerState } from '../training/trainer-state';
import { Trainer } from '../training/trainer';
import { loadCheckpoint, readCheckpointInfo, saveCheckpoint } from './checkpoint';

const options: TrainerOptions = {
  config: { imageSize: 16, channels: 1, baseWidth: 8, latentDim: 16 },
  batchSize: 4,
  seed: 11,
};
/** A model small enough to train 100+ steps in a test. */
const tinyOptions: TrainerOptions = {
  config: { imageSize: 16, channels: 1, baseWidth: 2, latentDim: 4 },
  batchSize: 4,
  seed: 5,
};
let batches: tf.Tensor4D[];
let root: string;

beforeAll(async () => {
  await useCpuBackend();
  batches = Array.from({ length: 3 }, (_, index) => mnistDigits(4, 16, 100 + index * 4));
  root = await mkdtemp(join(tmpdir(), 'dcgan-core-checkpoint-'));
});
afterAll(async () => {
  tf.dispose(batches);
  await rm(root, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

async function train(trainer: Trainer, steps: number): Promise<void> {
  for (let step = 0; step < steps; step++) await trainer.step(batches[trainer.completedSteps % batches.length]!);
}

/** Every model weight and optimizer slot of a trainer, flattened, in state order. */
async function everything(trainer: Trainer): Promise<Array<{ name: string; values: number[] }>> {
  const state = await trainer.getState();
  return [...state.generator, ...state.discriminator, ...state.generatorOptimizer, ...state.discriminatorOptimizer].map(
    (tensor) => ({
      name: tensor.name,
      values: Array.from(tensor.values),
    }),
  );
}

/** Every model weight and Adam moment of a trainer as raw bytes, in state order. */
async function stateBytes(trainer: Trainer): Promise<Uint8Array> {
  const state = await trainer.getState();
  const tensors = [
    ...state.generator,
    ...state.discriminator,
    ...state.generatorOptimizer,
    ...state.discriminatorOptimizer,
  ];
  return Buffer.concat(
    tensors.map((tensor) => Buffer.from(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength)),
  );
}

function maxDifference(a: Array<{ values: number[] }>, b: Array<{ values: number[] }>): number {
  expect(b.length).toBe(a.length);
  let worst = 0;
  a.forEach((tensor, index) => {
    const other = b[index]!.values;
    expect(other.length).toBe(tensor.values.length);
    tensor.values.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - other[i]!))));
  });
  return worst;
}

async function freshDirectory(name: string): Promise<string> {
  return join(await mkdtemp(join(root, `${name}-`)), 'checkpoint');
}

describe('checkpoints', () => {
  it('round-trips weights, optimizer state, counters and options exactly, and emits an event', async () => {
    const directory = await freshDirectory('round-trip');
    const trainer = new Trainer(options);
    await train(trainer, 2);
    trainer.epoch = 3;
    const events: TrainerEvent[] = [];
    trainer.on((event) => events.push(event));
    const saved = await saveCheckpoint(directory, trainer);
    expect(saved).toMatchObject({ path: directory, step: 2 });
    expect(events).toEqual([expect.objectContaining({ status: 'checkpoint', step: 2, epoch: 3, path: directory })]);
    expect((await readdir(directory)).sort()).toEqual([
      'checkpoint.json',
      expect.stringMatching(/^weights-00000002-[0-9a-f]+\.bin$/),
    ]);

    const loaded = await loadCheckpoint(directory, { expectedConfig: options.config });
    expect(loaded.completedSteps).toBe(2);
    expect(loaded.epoch).toBe(3);
    expect(loaded.options).toEqual(trainer.options);
    expect(maxDifference(await everything(trainer), await everything(loaded))).toBe(0);
    expect(await readCheckpointInfo(directory)).toMatchObject({
      completedSteps: 2,
      epoch: 3,
      options: trainer.options,
    });
    trainer.dispose();
    loaded.dispose();
  });

  it('N steps, save, load, M steps gives the weights of N + M steps straight', async () => {
    const directory = await freshDirectory('resume');
    const straight = new Trainer(options);
    await train(straight, 5);

    const first = new Trainer(options);
    await train(first, 3);
    await saveCheckpoint(directory, first);
    first.dispose();
    const resumed = await loadCheckpoint(directory);
    await train(resumed, 2);
    expect(resumed.completedSteps).toBe(5);

    const expected = await everything(straight);
    const actual = await everything(resumed);
    expect(actual.map((tensor) => tensor.values.length)).toEqual(expected.map((tensor) => tensor.values.length));
    expect(maxDifference(expected, actual)).toBe(0);
    straight.dispose();
    resumed.dispose();
  });

  it('resumes bit-exactly at any step: splits at 20, at an epoch boundary (40) and at 100 give the weights of a straight run', async () => {
    // Issue 20: Adam's running bias-correction products (accBeta1/2) were rebuilt as pow(beta, t + 1) on
    // load, which differs from the step-by-step float32 product from step 21 on.
    const stepsPerEpoch = 8;
    const checkpoints = new Set([20, 40, 100]);
    const compared = [25, 45, 105];
    const trainTo = async (
      trainer: Trainer,
      steps: number,
      snapshots: Map<number, Uint8Array>,
      directory?: string,
    ): Promise<Trainer> => {
      let current = trainer;
      while (current.completedSteps < steps) {
        current.epoch = Math.floor(current.completedSteps / stepsPerEpoch);
        await current.step(batches[Math.floor(current.completedSteps / 2) % batches.length]!);
        if (compared.includes(current.completedSteps)) snapshots.set(current.completedSteps, await stateBytes(current));
        if (directory != null && checkpoints.has(current.completedSteps)) {
          current.epoch = Math.floor(current.completedSteps / stepsPerEpoch);
          await saveCheckpoint(directory, current);
          current.dispose();
          current = await loadCheckpoint(directory);
        }
      }
      return current;
    };
    const straightSnapshots = new Map<number, Uint8Array>();
    const straight = await trainTo(new Trainer(tinyOptions), 105, straightSnapshots);
    const resumedSnapshots = new Map<number, Uint8Array>();
    const resumed = await trainTo(new Trainer(tinyOptions), 105, resumedSnapshots, await freshDirectory('exact'));
    expect(resumed.epoch).toBe(straight.epoch);
    for (const step of compared) {
      expect({
        step,
        identical: Buffer.from(resumedSnapshots.get(step)!).equals(Buffer.from(straightSnapshots.get(step)!)),
      }).toEqual({
        step,
        identical: true,
      });
    }
    straight.dispose();
    resumed.dispose();
  });

  it('loads a checkpoint written by 0.1.0 (no stored Adam products) and continues exactly as with them stored', async () => {
    // test/fixtures/checkpoint-0.1.0-step-21: tinyOptions trained 21 steps on batches[step % 3] by @dcgan/core 0.1.0.
    // (Its weights are 0.1.0's: later versions differentiate batch norm in closed form, rounded differently.)
    const fixture = fileURLToPath(new URL('../../test/fixtures/checkpoint-0.1.0-step-21', import.meta.url));
    const old = await loadCheckpoint(fixture, { expectedConfig: tinyOptions.config });
    expect(old.completedSteps).toBe(21);
    // Adam's running products depend on the step count only: those rebuilt for the old checkpoint are exactly
    // the ones a straight run of 21 steps stores.
    const straight = new Trainer(tinyOptions);
    await train(straight, 21);
    const [loadedState, straightState] = [await old.getState(), await straight.getState()];
    const products = (state: TrainerState) =>
      [...state.generatorOptimizer, ...state.discriminatorOptimizer]
        .filter((tensor) => tensor.name === 'accBeta1' || tensor.name === 'accBeta2')
        .map((tensor) => ({ name: tensor.name, values: Array.from(tensor.values) }));
    expect(products(loadedState)).toHaveLength(4);
    expect(products(loadedState)).toEqual(products(straightState));
    // The old weights and moments with those products stored (the current format) train on exactly as loaded.
    const optimizerWithProducts = (group: 'generatorOptimizer' | 'discriminatorOptimizer') => [
      ...loadedState[group].filter((tensor) => tensor.name !== 'accBeta1' && tensor.name !== 'accBeta2'),
      ...straightState[group].filter((tensor) => tensor.name === 'accBeta1' || tensor.name === 'accBeta2'),
    ];
    const stored = await Trainer.fromState({
      ...loadedState,
      generatorOptimizer: optimizerWithProducts('generatorOptimizer'),
      discriminatorOptimizer: optimizerWithProducts('discriminatorOptimizer'),
    });
    await train(old, 4);
    await train(stored, 4);
    expect(Buffer.from(await stateBytes(old)).equals(Buffer.from(await stateBytes(stored)))).toBe(true);
    old.dispose();
    straight.dispose();
    stored.dispose();
  });

  it('a crash before the commit leaves the previous checkpoint intact, and the next save cleans up', async () => {
    const directory = await freshDirectory('crash');
    const trainer = new Trainer(options);
    await train(trainer, 1);
    await saveCheckpoint(directory, trainer);
    const before = await everything(trainer);
    await train(trainer, 1);

    const realRename = fs.rename.bind(fs);
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('checkpoint.json'))
        throw Object.assign(new Error('simulated power loss'), { code: 'EIO' });
      return realRename(from, to);
    });
    const error = await saveCheckpoint(directory, trainer).catch((caught: unknown) => caught);
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      `Cannot write checkpoint to ${directory}: ${join(directory, 'checkpoint.json')}: cannot write file: simulated power loss`,
    );
    vi.restoreAllMocks();

    // What a kill -9 between the two writes would leave behind: an orphan weights file and a temporary manifest.
    await writeFile(join(directory, 'weights-00000002-deadbeef0000.bin'), new Uint8Array(64));
    await writeFile(join(directory, 'checkpoint.json.tmp-deadbeef0000'), '{"format": "dcgan-ts-chec');
    const previous = await loadCheckpoint(directory);
    expect(previous.completedSteps).toBe(1);
    expect(maxDifference(before, await everything(previous))).toBe(0);
    previous.dispose();

    await saveCheckpoint(directory, trainer);
    const files = (await readdir(directory)).sort();
    expect(files).toEqual(['checkpoint.json', expect.stringMatching(/^weights-00000002-[0-9a-f]+\.bin$/)]);
    expect(files[1]).not.toBe('weights-00000002-deadbeef0000.bin');
    expect((await readCheckpointInfo(directory)).completedSteps).toBe(2);
    trainer.dispose();
  });

  describe('corrupt or mismatched checkpoints get an error naming the file and the problem', () => {
    let directory: string;
    let manifestPath: string;
    let manifestText: string;
    let weightsPath: string;

    beforeAll(async () => {
      directory = await freshDirectory('corrupt');
      const trainer = new Trainer(options);
      await train(trainer, 1);
      await saveCheckpoint(directory, trainer);
      trainer.dispose();
      manifestPath = join(directory, 'checkpoint.json');
      manifestText = await readFile(manifestPath, 'utf8');
      weightsPath = join(directory, (JSON.parse(manifestText) as { weightsFile: string }).weightsFile);
    });

    async function loadError(
      directoryToLoad = directory,
      expectedConfig?: TrainerOptions['config'],
    ): Promise<CheckpointError> {
      const error = await loadCheckpoint(directoryToLoad, expectedConfig ? { expectedConfig } : {}).then(
        (trainer) => {
          trainer.dispose();
          throw new Error('expected loadCheckpoint to fail');
        },
        (caught: unknown) => caught,
      );
      expect(CheckpointError.isInstance(error)).toBe(true);
      expect(DcganError.isInstance(error)).toBe(true);
      expect((error as Error).name).toBe('CheckpointError');
      return error as CheckpointError;
    }

    async function withManifest(
      edit: (manifest: Record<string, unknown>) => void,
      run: () => Promise<void>,
    ): Promise<void> {
      const manifest = JSON.parse(manifestText) as Record<string, unknown>;
      edit(manifest);
      await writeFile(manifestPath, JSON.stringify(manifest));
      try {
        await run();
      } finally {
        await writeFile(manifestPath, manifestText);
      }
    }

    it('no checkpoint', async () => {
      const missing = join(root, 'nowhere');
      const error = await loadError(missing);
      expect(error.message).toBe(
        `${join(missing, 'checkpoint.json')}: no checkpoint here (checkpoint.json does not exist)`,
      );
      expect(error.path).toBe(join(missing, 'checkpoint.json'));
    });

    it('bad JSON', async () => {
      await writeFile(manifestPath, manifestText.slice(0, 100));
      try {
        expect((await loadError()).message).toMatch(new RegExp(`^${escapeRegExp(manifestPath)}: not valid JSON \\(`));
      } finally {
        await writeFile(manifestPath, manifestText);
      }
    });

    it('missing weights file', async () => {
      const bytes = await readFile(weightsPath);
      await rm(weightsPath);
      try {
        expect((await loadError()).message).toBe(`${weightsPath}: missing (named by ${manifestPath})`);
      } finally {
        await writeFile(weightsPath, bytes);
      }
    });

    it('truncated weights file', async () => {
      const bytes = await readFile(weightsPath);
      await writeFile(weightsPath, bytes.subarray(0, bytes.byteLength - 8));
      try {
        expect((await loadError()).message).toBe(
          `${weightsPath}: has ${bytes.byteLength - 8} bytes, ${manifestPath} expects ${bytes.byteLength} (truncated or replaced)`,
        );
      } finally {
        await writeFile(weightsPath, bytes);
      }
    });

    it('flipped bits in the weights', async () => {
      const bytes = await readFile(weightsPath);
      const corrupt = Buffer.from(bytes);
      corrupt[1000] = corrupt[1000]! ^ 0x40;
      await writeFile(weightsPath, corrupt);
      try {
        expect((await loadError()).message).toBe(
          `${weightsPath}: SHA-256 does not match ${manifestPath} (the file is corrupt)`,
        );
      } finally {
        await writeFile(weightsPath, bytes);
      }
    });

    it('another architecture than the run expects', async () => {
      const error = await loadError(directory, { ...options.config, imageSize: 32, baseWidth: 16 });
      expect(error.message).toBe(
        `${manifestPath}: checkpoint is for another model: imageSize 16 (this run asks for 32), baseWidth 8 (this run asks for 16)`,
      );
    });

    it('a config that does not match the stored tensors', async () => {
      await withManifest(
        (manifest) => {
          const stored = manifest.options as { config: Record<string, unknown> };
          stored.config = { ...stored.config, baseWidth: 16 };
        },
        async () => {
          expect((await loadError()).message).toBe(
            `${manifestPath}: Tensor \`generator/g_project/kernel\` has shape [16, 256], expected [16, 512]`,
          );
        },
      );
    });

    it('a tensor entry with a wrong shape, and a manifest of another format', async () => {
      await withManifest(
        (manifest) => {
          const tensors = manifest.tensors as { discriminator: Array<{ shape: number[] }> };
          tensors.discriminator[0]!.shape = [4, 4, 1, 9];
        },
        async () => {
          expect((await loadError()).message).toBe(
            `${manifestPath}: \`tensors.discriminator[0]\` (d_conv1/kernel) has 512 bytes for shape [4, 4, 1, 9]`,
          );
        },
      );
      await withManifest(
        (manifest) => {
          manifest.format = 'keras';
        },
        async () => {
          expect((await loadError()).message).toBe(`${manifestPath}: not a DCGAN-TS checkpoint (format \`keras\`)`);
        },
      );
    });

    it('still loads once repaired', async () => {
      const trainer = await loadCheckpoint(directory);
      expect(trainer.completedSteps).toBe(1);
      trainer.dispose();
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
