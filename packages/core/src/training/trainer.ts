import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DcganError, deriveSeed } from '@dcgan/common';
import { CheckpointError } from '../errors/checkpoint-error';
import type { DcganConfig } from '../model/dcgan-config';
import { createDiscriminator } from '../model/discriminator';
import { createGenerator } from '../model/generator';
import { imageGrid, type ImageGrid, type ImageGridOptions } from '../sampling/image-grid';
import { generate } from '../sampling/generate';
import { sampleLatent } from '../sampling/sample-latent';
import { applyAdamGradients } from './adam-update';
import { discriminatorLoss, generatorLoss } from './losses';
import { useBroadcastMeanGradient } from './mean-gradient';
import type { TrainerEvent, TrainerListener, TrainerStepResult } from './trainer-events';
import { resolveTrainerOptions, type ResolvedTrainerOptions, type TrainerOptions } from './trainer-options';
import type { TensorData, TrainerState } from './trainer-state';

const now = (): number => (typeof performance === 'undefined' ? Date.now() : performance.now());

/**
 * The adversarial training loop of the paper: each {@link Trainer.step} makes one Adam update of D on a
 * real batch and as many fakes, then one update of G with the non-saturating loss (sigmoid cross-entropy
 * on logits). Everything is seeded: the weights from `seed`, the noise of step n from `(seed, n)`, so a
 * run restored with {@link Trainer.fromState} continues exactly as if it had never stopped.
 *
 * The trainer never prints; it reports through {@link Trainer.on}. It owns its models and optimizers:
 * call {@link Trainer.dispose} when done.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ config: dcganPresets.dcgan32, batchSize: 64, seed: 7 });
 * trainer.on((event) => { if (event.status === 'step') bar.update(event.step, event); });
 * for (const batch of batches) {            // tf.Tensor4D in [-1, 1], [64, 32, 32, 3]
 *   const { discriminatorLoss, generatorLoss } = await trainer.step(batch);
 *   batch.dispose();
 * }
 * ```
 */
export class Trainer {
  /** The validated options this trainer runs with (stored in checkpoints). */
  readonly options: ResolvedTrainerOptions;
  /** The model architecture. */
  readonly config: DcganConfig;
  /** G: z `[batch, latentDim]` -> images `[batch, size, size, channels]` in [-1, 1]. */
  readonly generator: tfl.LayersModel;
  /** D: images -> logits `[batch, 1]`. */
  readonly discriminator: tfl.LayersModel;

  private readonly generatorOptimizer: tf.AdamOptimizer;
  private readonly discriminatorOptimizer: tf.AdamOptimizer;
  private readonly generatorVariables: tf.Variable[];
  private readonly discriminatorVariables: tf.Variable[];
  private readonly listeners = new Set<TrainerListener>();
  private steps = 0;
  private currentEpoch = 0;
  private disposed = false;

  constructor(options: TrainerOptions) {
    this.options = resolveTrainerOptions(options);
    this.config = this.options.config;
    // Batch norm's statistics' gradient without a ones tensor per call (same values; see mean-gradient.ts).
    useBroadcastMeanGradient();
    const { seed, learningRate, beta1, beta2, epsilon } = this.options;
    this.generator = createGenerator(this.config, { seed: deriveSeed(seed, 'generator') });
    this.discriminator = createDiscriminator(this.config, { seed: deriveSeed(seed, 'discriminator') });
    this.generatorOptimizer = tf.train.adam(learningRate, beta1, beta2, epsilon);
    this.discriminatorOptimizer = tf.train.adam(learningRate, beta1, beta2, epsilon);
    // LayerVariable.read() returns the same tf.Variable for the layer's lifetime (updates swap its data).
    this.generatorVariables = this.generator.trainableWeights.map((weight) => weight.read() as tf.Variable);
    this.discriminatorVariables = this.discriminator.trainableWeights.map((weight) => weight.read() as tf.Variable);
  }

  /** Steps completed so far (restored from checkpoints). */
  get completedSteps(): number {
    return this.steps;
  }

  /** The current epoch, as set by the application (the trainer does not see the dataset). */
  get epoch(): number {
    return this.currentEpoch;
  }

  set epoch(value: number) {
    if (!Number.isInteger(value) || value < 0) {
      throw new DcganError(`Expected \`epoch\` to be a non-negative integer, got \`${String(value)}\``);
    }
    if (value === this.currentEpoch) return;
    this.currentEpoch = value;
    this.emit({ status: 'epoch', step: this.steps, epoch: value });
  }

  /**
   * Subscribes to progress events; returns a function that unsubscribes.
   *
   * @example
   * ```ts
   * const stop = trainer.on((event) => { if (event.status === 'checkpoint') log(event.path); });
   * stop();
   * ```
   */
  on(listener: TrainerListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Sends an event to every listener (used by this package's companion modules, e.g. checkpoints). */
  emit(event: TrainerEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /**
   * One training step on a batch of real images in [-1, 1] (`[batch, size, size, channels]`, float32):
   * D is updated on the real batch and on `batch` fakes from this step's seeded noise, then G is updated
   * through the updated D. All tensors are freed before it resolves; `realImages` stays the caller's.
   *
   * @example
   * ```ts
   * const result = await trainer.step(batch);
   * console.log(result.discriminatorLoss, result.generatorLoss, result.imagesPerSecond);
   * ```
   */
  async step(realImages: tf.Tensor4D): Promise<TrainerStepResult> {
    this.assertUsable();
    const { imageSize, channels, latentDim } = this.config;
    const [batchSize, height, width, depth] = realImages.shape;
    if (
      realImages.rank !== 4 ||
      height !== imageSize ||
      width !== imageSize ||
      depth !== channels ||
      !(batchSize! > 0)
    ) {
      throw new DcganError(
        `Expected \`realImages\` to have shape [batch, ${imageSize}, ${imageSize}, ${channels}], got [${realImages.shape.join(', ')}]`,
      );
    }
    if (realImages.dtype !== 'float32') {
      throw new DcganError(`Expected \`realImages\` to be float32 in [-1, 1], got dtype \`${realImages.dtype}\``);
    }
    const started = now();
    const stepIndex = this.steps;
    // tf.keep()s escape every tidy: on success they are among the returned scalars (freed after reading).
    const kept: tf.Tensor[] = [];
    let scalars: tf.Scalar[];
    try {
      scalars = tf.tidy(() => {
        const z = sampleLatent(batchSize!, latentDim, deriveSeed(this.options.seed, 'step', stepIndex));
        let realScore: tf.Scalar | undefined;
        let fakeScore: tf.Scalar | undefined;
        let fakeScoreAfterUpdate: tf.Scalar | undefined;
        let dCost: tf.Scalar | undefined;
        let gCost: tf.Scalar | undefined;
        // G runs forward once per step, as in pytorch/examples: its fakes train D, then G's loss through the
        // updated D is differentiated with respect to those same fakes, and that gradient is propagated back
        // through G's recorded forward pass. The engine reads `fakeGradient` only when it starts that backward
        // pass, after the function below has filled it in.
        const fakeGradient = tf.variable(tf.zeros(realImages.shape), false);
        kept.push(fakeGradient);
        const { grads } = tf.engine().gradients(
          () => {
            const fakes = this.generator.apply(z, { training: true }) as tf.Tensor4D;
            // What follows reads the fakes but is no part of G's backward pass (pytorch/examples' fake.detach()):
            // it runs off G's tape, so that the engine neither records it nor keeps its tensors for G's gradient.
            const dFakes = offTape(() => {
              // D update on the real batch and the fakes; only D's weights are differentiated here.
              const discriminatorStep = this.discriminatorOptimizer.computeGradients(() => {
                const realLogits = this.discriminator.apply(realImages, { training: true }) as tf.Tensor;
                const fakeLogits = this.discriminator.apply(fakes, { training: true }) as tf.Tensor;
                realScore = tf.keep(tf.mean(tf.sigmoid(realLogits)) as tf.Scalar);
                fakeScore = tf.keep(tf.mean(tf.sigmoid(fakeLogits)) as tf.Scalar);
                kept.push(realScore, fakeScore);
                return discriminatorLoss(realLogits, fakeLogits);
              }, this.discriminatorVariables);
              dCost = tf.keep(discriminatorStep.value);
              kept.push(dCost);
              applyAdamGradients(
                this.discriminatorOptimizer,
                this.discriminatorVariables.map((variable) => ({
                  name: variable.name,
                  tensor: discriminatorStep.grads[variable.name]!,
                })),
              );
              tf.dispose(discriminatorStep.grads);
              // G's non-saturating loss through the updated D, differentiated with respect to the fakes only.
              const { value, grads } = tf.engine().gradients(() => {
                const fakeLogits = this.discriminator.apply(fakes, { training: true }) as tf.Tensor;
                fakeScoreAfterUpdate = tf.keep(tf.mean(tf.sigmoid(fakeLogits)) as tf.Scalar);
                kept.push(fakeScoreAfterUpdate);
                return generatorLoss(fakeLogits);
              }, [fakes]);
              gCost = tf.keep(value as tf.Scalar);
              kept.push(gCost);
              return grads[0]!;
            });
            fakeGradient.assign(dFakes!);
            return fakes;
          },
          this.generatorVariables,
          fakeGradient as tf.Tensor as tf.Tensor4D,
        );
        applyAdamGradients(
          this.generatorOptimizer,
          this.generatorVariables.map((variable, index) => ({ name: variable.name, tensor: grads[index]! })),
        );
        fakeGradient.dispose();
        return [dCost!, gCost!, realScore!, fakeScore!, fakeScoreAfterUpdate!];
      });
    } catch (error) {
      for (const tensor of kept) tensor.dispose();
      throw error;
    }
    // Counted before the read-back so that overlapping calls draw distinct noise.
    this.steps = stepIndex + 1;
    let values: number[];
    try {
      values = (await Promise.all(scalars.map((scalar) => scalar.data()))).map((data) => data[0]!);
    } finally {
      for (const scalar of scalars) scalar.dispose();
    }
    const seconds = (now() - started) / 1000;
    const result: TrainerStepResult = {
      step: stepIndex + 1,
      epoch: this.currentEpoch,
      discriminatorLoss: values[0]!,
      generatorLoss: values[1]!,
      realScore: values[2]!,
      fakeScore: values[3]!,
      fakeScoreAfterUpdate: values[4]!,
      batchSize: batchSize!,
      seconds,
      imagesPerSecond: seconds > 0 ? batchSize! / seconds : Number.POSITIVE_INFINITY,
    };
    this.emit({ status: 'step', ...result });
    return result;
  }

  /**
   * The run's fixed latent vectors (`sampleCount` of them, from the run seed): the same at every step and
   * after a resume, so sample grids show progress. The caller owns the tensor.
   *
   * @example
   * ```ts
   * const z = trainer.fixedNoise();
   * const images = generate(trainer.generator, z);
   * ```
   */
  fixedNoise(): tf.Tensor2D {
    return sampleLatent(this.options.sampleCount, this.config.latentDim, deriveSeed(this.options.seed, 'fixed-noise'));
  }

  /**
   * Generates the fixed-noise grid (inference mode), emits a `sample` event with it and returns it.
   *
   * @example
   * ```ts
   * const grid = await trainer.sample({ columns: 8 }); // write it with sharp in the app
   * ```
   */
  async sample(options: ImageGridOptions = {}): Promise<ImageGrid> {
    this.assertUsable();
    const z = this.fixedNoise();
    let images: tf.Tensor4D | undefined;
    try {
      images = generate(this.generator, z);
      const grid = await imageGrid(images, options);
      this.emit({ status: 'sample', step: this.steps, epoch: this.currentEpoch, grid });
      return grid;
    } finally {
      z.dispose();
      images?.dispose();
    }
  }

  /**
   * A copy of everything needed to continue this run exactly (see {@link TrainerState}).
   *
   * @example
   * ```ts
   * const state = await trainer.getState();
   * const twin = await Trainer.fromState(state);
   * ```
   */
  async getState(): Promise<TrainerState> {
    this.assertUsable();
    const completedSteps = this.steps;
    const epoch = this.currentEpoch;
    const modelData = async (model: tfl.LayersModel): Promise<TensorData[]> =>
      Promise.all(model.weights.map(async (weight) => tensorData(weight.originalName, weight.read())));
    const optimizerData = async (optimizer: tf.AdamOptimizer): Promise<TensorData[]> => {
      const [iterations, ...slots] = await optimizer.getWeights();
      const products = adamProducts(optimizer);
      try {
        return await Promise.all(
          [iterations!, ...slots, ...adamProductNames.map((name, index) => ({ name, tensor: products[index]! }))].map(
            (named) => tensorData(named.name, named.tensor),
          ),
        );
      } finally {
        iterations?.tensor.dispose(); // a fresh scalar; the slots are the optimizer's own variables
      }
    };
    return {
      options: this.options,
      completedSteps,
      epoch,
      generator: await modelData(this.generator),
      discriminator: await modelData(this.discriminator),
      generatorOptimizer: await optimizerData(this.generatorOptimizer),
      discriminatorOptimizer: await optimizerData(this.discriminatorOptimizer),
    };
  }

  /**
   * Rebuilds a trainer from {@link Trainer.getState}'s output: same options, weights, running
   * statistics, optimizer moments and counters. Throws a {@link CheckpointError} naming the first tensor
   * or field that does not fit.
   *
   * @example
   * ```ts
   * const resumed = await Trainer.fromState(state);
   * await resumed.step(batch); // what the original trainer's next step would have done
   * ```
   */
  static async fromState(state: TrainerState): Promise<Trainer> {
    if (state == null || typeof state !== 'object') {
      throw new CheckpointError(`Expected a trainer state object, got \`${String(state)}\``);
    }
    let trainer: Trainer;
    try {
      trainer = new Trainer(state.options);
    } catch (error) {
      throw new CheckpointError(`Invalid trainer options in state: ${(error as Error).message}`, { cause: error });
    }
    try {
      for (const [name, value] of [
        ['completedSteps', state.completedSteps],
        ['epoch', state.epoch],
      ] as const) {
        if (!Number.isSafeInteger(value) || value < 0) {
          throw new CheckpointError(`Expected \`${name}\` to be a non-negative integer, got \`${String(value)}\``);
        }
      }
      restoreModel(trainer.generator, state.generator, 'generator');
      restoreModel(trainer.discriminator, state.discriminator, 'discriminator');
      await restoreOptimizer(
        trainer.generatorOptimizer,
        trainer.generatorVariables,
        state.generatorOptimizer,
        'generatorOptimizer',
        state.completedSteps,
      );
      await restoreOptimizer(
        trainer.discriminatorOptimizer,
        trainer.discriminatorVariables,
        state.discriminatorOptimizer,
        'discriminatorOptimizer',
        state.completedSteps,
      );
      trainer.steps = state.completedSteps;
      trainer.currentEpoch = state.epoch;
      return trainer;
    } catch (error) {
      trainer.dispose();
      if (CheckpointError.isInstance(error)) throw error;
      throw new CheckpointError(`Cannot restore trainer state: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Frees both models and both optimizers. The trainer cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generator.dispose();
    this.discriminator.dispose();
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    this.listeners.clear();
  }

  private assertUsable(): void {
    if (this.disposed) throw new DcganError('This Trainer has been disposed');
  }
}

/**
 * Runs `f` as if no gradient were being recorded, then resumes the recording that was open (tfjs has no public
 * way to pause a tape; its engine state is read where it has the fields of tfjs-core 4.22, which this package
 * pins). Gradients computed inside `f` work as at top level. Where the fields are missing, `f` runs on the open
 * tape: the same results, with more recorded.
 */
function offTape<T>(f: () => T): T {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: unknown; activeTape?: unknown } }).state;
  if (state === undefined || typeof state.gradientDepth !== 'number' || !('activeTape' in state)) return f();
  const { gradientDepth, activeTape } = state;
  state.gradientDepth = 0;
  state.activeTape = null;
  try {
    return f();
  } finally {
    state.gradientDepth = gradientDepth;
    state.activeTape = activeTape;
  }
}

async function tensorData(name: string, tensor: tf.Tensor): Promise<TensorData> {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
    throw new DcganError(`Cannot store tensor \`${name}\` of dtype \`${tensor.dtype}\``);
  }
  const values = await tensor.data();
  // Copy: some backends hand out their own buffer.
  return {
    name,
    shape: [...tensor.shape],
    dtype: tensor.dtype,
    values:
      tensor.dtype === 'float32' ? Float32Array.from(values as Float32Array) : Int32Array.from(values as Int32Array),
  };
}

function checkTensor(
  entry: TensorData | undefined,
  label: string,
  shape: readonly number[],
  dtype: string,
): TensorData {
  if (entry == null || typeof entry !== 'object') throw new CheckpointError(`Missing tensor ${label}`);
  if (
    !Array.isArray(entry.shape) ||
    entry.shape.length !== shape.length ||
    entry.shape.some((size, index) => size !== shape[index])
  ) {
    throw new CheckpointError(
      `Tensor ${label} has shape [${Array.isArray(entry.shape) ? entry.shape.join(', ') : String(entry.shape)}], expected [${shape.join(', ')}]`,
    );
  }
  if (entry.dtype !== dtype)
    throw new CheckpointError(`Tensor ${label} has dtype \`${String(entry.dtype)}\`, expected \`${dtype}\``);
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  if (entry.values == null || entry.values.length !== size) {
    throw new CheckpointError(`Tensor ${label} has ${String(entry.values?.length)} values, expected ${size}`);
  }
  return entry;
}

function toTensor(entry: TensorData): tf.Tensor {
  return tf.tensor(entry.values, [...entry.shape], entry.dtype);
}

function restoreModel(model: tfl.LayersModel, entries: readonly TensorData[], group: string): void {
  if (!Array.isArray(entries)) throw new CheckpointError(`Missing tensor group \`${group}\``);
  const weights = model.weights;
  if (entries.length !== weights.length) {
    throw new CheckpointError(`Tensor group \`${group}\` has ${entries.length} tensors, expected ${weights.length}`);
  }
  const tensors = weights.map((weight, index) => {
    const entry = entries[index];
    if (entry?.name !== weight.originalName) {
      throw new CheckpointError(
        `Tensor ${index} of \`${group}\` is \`${String(entry?.name)}\`, expected \`${weight.originalName}\``,
      );
    }
    return checkTensor(entry, `\`${group}/${weight.originalName}\``, weight.shape as number[], weight.dtype);
  });
  tf.tidy(() => weights.forEach((weight, index) => weight.write(toTensor(tensors[index]!))));
}

async function restoreOptimizer(
  optimizer: tf.AdamOptimizer,
  variables: readonly tf.Variable[],
  entries: readonly TensorData[],
  group: string,
  completedSteps: number,
): Promise<void> {
  if (!Array.isArray(entries) || entries.length === 0) throw new CheckpointError(`Missing tensor group \`${group}\``);
  const iterations = checkTensor(entries[0], `\`${group}/iter\``, [], 'int32');
  const iterationCount = iterations.values[0]!;
  if (iterationCount !== completedSteps) {
    throw new CheckpointError(
      `\`${group}\` has made ${iterationCount} updates but the state says ${completedSteps} steps were completed`,
    );
  }
  // Checkpoints of @dcgan/core 0.1.0 end with the moments; later ones add Adam's two running products.
  const hasProducts = entries.at(-1)?.name === adamProductNames[1];
  const slotCount = iterationCount === 0 ? 0 : 2 * variables.length;
  const expected = 1 + slotCount + (hasProducts ? adamProductNames.length : 0);
  if (entries.length !== expected) {
    throw new CheckpointError(`Tensor group \`${group}\` has ${entries.length} tensors, expected ${expected}`);
  }
  const slots = entries.slice(1, 1 + slotCount).map((entry, index) => {
    const variable = variables[index % variables.length]!;
    return checkTensor(entry, `\`${group}[${index + 1}]\` (${String(entry?.name)})`, variable.shape, 'float32');
  });
  const products = hasProducts
    ? adamProductNames.map((name, index) => {
        const entry = entries[1 + slotCount + index];
        if (entry?.name !== name)
          throw new CheckpointError(
            `Tensor ${1 + slotCount + index} of \`${group}\` is \`${String(entry?.name)}\`, expected \`${name}\``,
          );
        const value = checkTensor(entry, `\`${group}/${name}\``, [], 'float32').values[0]!;
        // beta^(t+1) in float32 reaches 0 for long runs (0.5^150).
        if (!(value >= 0 && value < 1))
          throw new CheckpointError(`Tensor \`${group}/${name}\` is ${value}, expected a number in [0, 1)`);
        return value;
      })
    : replayedAdamProducts(optimizer, iterationCount);
  if (iterationCount > 0) {
    const named = [iterations, ...slots].map((entry) => ({ name: entry.name, tensor: toTensor(entry) }));
    try {
      await optimizer.setWeights(named);
    } finally {
      // setWeights wraps each tensor in a new variable sharing its data; ours can go.
      for (const { tensor } of named) tensor.dispose();
    }
  }
  // setWeights sets the products to pow(beta, t + 1), which is not what t float32 multiplications give
  // (0.999^21: 0.9792089 step by step, 0.97920895 by pow); put back the exact values.
  const variablesOfProducts = adamProducts(optimizer);
  tf.tidy(() => variablesOfProducts.forEach((variable, index) => variable.assign(tf.scalar(products[index]!))));
}

/** Names under which a checkpoint stores Adam's running products beta1^(t+1) and beta2^(t+1). */
const adamProductNames = ['accBeta1', 'accBeta2'] as const;

/**
 * Adam's running bias-correction products (tfjs-core 4.22's private `accBeta1`/`accBeta2` variables):
 * part of the optimizer's state that `getWeights()` leaves out.
 */
function adamProducts(optimizer: tf.AdamOptimizer): [tf.Variable, tf.Variable] {
  const { accBeta1, accBeta2 } = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (typeof accBeta1?.assign !== 'function' || typeof accBeta2?.assign !== 'function') {
    throw new DcganError(
      'This version of @tensorflow/tfjs-core keeps no `accBeta1`/`accBeta2` in its Adam optimizer; install 4.22.0',
    );
  }
  return [accBeta1, accBeta2];
}

/**
 * The products a run of `iterations` steps reached, for checkpoints that did not store them: the initial
 * float32 beta multiplied by float32 beta once per step, each product rounded to float32, as the
 * optimizer does (exact on IEEE float32 backends: cpu, wasm, tensorflow).
 */
function replayedAdamProducts(optimizer: tf.AdamOptimizer, iterations: number): [number, number] {
  const { beta1, beta2 } = optimizer.getConfig() as { beta1: number; beta2: number };
  const replay = (beta: number): number => {
    const factor = Math.fround(beta);
    let product = factor;
    for (let step = 0; step < iterations; step++) product = Math.fround(product * factor);
    return product;
  };
  return [replay(beta1), replay(beta2)];
}
