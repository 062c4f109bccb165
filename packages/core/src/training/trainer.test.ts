import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcganError, deriveSeed } from '@dcgan/common';
import { CheckpointError } from '../errors/checkpoint-error';
import { sampleLatent } from '../sampling/sample-latent';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistDigits } from '../test-support/mnist-digits';
import { discriminatorLoss, generatorLoss } from './losses';
import type { TrainerEvent, TrainerStepResult } from './trainer-events';
import type { TrainerOptions } from './trainer-options';
import type { TrainerState } from './trainer-state';
import { Trainer } from './trainer';

const options: TrainerOptions = {
  config: { imageSize: 16, channels: 1, baseWidth: 8, latentDim: 16 },
  batchSize: 4,
  seed: 3,
};
let batches: tf.Tensor4D[];

beforeAll(async () => {
  await useCpuBackend();
  batches = Array.from({ length: 4 }, (_, index) => mnistDigits(4, 16, index * 4));
});
afterAll(() => tf.dispose(batches));

async function allWeights(trainer: Trainer): Promise<Float32Array[]> {
  return Promise.all(
    [...trainer.generator.weights, ...trainer.discriminator.weights].map(
      async (weight) => (await weight.read().data()) as Float32Array,
    ),
  );
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((values, index) => {
    const other = b[index]!;
    expect(values.length).toBe(other.length);
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - other[i]!));
  });
  return worst;
}

async function train(trainer: Trainer, steps: number): Promise<TrainerStepResult[]> {
  const results: TrainerStepResult[] = [];
  for (let step = 0; step < steps; step++)
    results.push(await trainer.step(batches[trainer.completedSteps % batches.length]!));
  return results;
}

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('Trainer', () => {
  it("reports the losses of D's and G's forward passes (checked against a twin's logits)", async () => {
    const trainer = new Trainer(options);
    // A twin with identical weights computes the logits the first step will see, by hand.
    const twin = await Trainer.fromState(await trainer.getState());
    const real = batches[0]!;
    const z = sampleLatent(4, 16, deriveSeed(options.seed!, 'step', 0));
    const realLogits = Array.from((twin.discriminator.apply(real, { training: true }) as tf.Tensor).dataSync());
    const fakes = twin.generator.apply(z, { training: true }) as tf.Tensor;
    const fakeLogits = Array.from((twin.discriminator.apply(fakes, { training: true }) as tf.Tensor).dataSync());
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

    const result = await trainer.step(real);
    expect(result.step).toBe(1);
    expect(result.batchSize).toBe(4);
    expect(result.discriminatorLoss).toBeCloseTo(
      mean(realLogits.map((x) => softplus(-x))) + mean(fakeLogits.map(softplus)),
      4,
    );
    expect(result.realScore).toBeCloseTo(mean(realLogits.map(sigmoid)), 5);
    expect(result.fakeScore).toBeCloseTo(mean(fakeLogits.map(sigmoid)), 5);
    expect(result.generatorLoss).toBeGreaterThan(0);
    expect(result.imagesPerSecond).toBeGreaterThan(0);
    tf.dispose([z, fakes]);
    twin.dispose();
    trainer.dispose();
  });

  it("moves G's batch-norm running averages once per step, with momentum 0.9", async () => {
    const trainer = new Trainer(options);
    const twin = await Trainer.fromState(await trainer.getState());
    const z = sampleLatent(4, 16, deriveSeed(options.seed!, 'step', 0));
    // g_bn1's input is the projection, which has no batch norm before it: its batch mean is computed here directly.
    const projection = tfl.model({
      inputs: twin.generator.inputs,
      outputs: twin.generator.getLayer('g_reshape').output as tfl.SymbolicTensor,
    });
    const batchMean = Array.from((tf.mean(projection.predict(z) as tf.Tensor, [0, 1, 2]) as tf.Tensor).dataSync());
    await trainer.step(batches[0]!);
    const movingMean = Array.from(trainer.generator.getLayer('g_bn1').getWeights()[2]!.dataSync());
    expect(movingMean).toHaveLength(batchMean.length);
    movingMean.forEach((value, index) => expect(value).toBeCloseTo(0.1 * batchMean[index]!, 6));
    z.dispose();
    twin.dispose();
    trainer.dispose();
  });

  it('runs G forward once per step and matches the two-pass reference step (D update, then G through the updated D)', async () => {
    const trainer = new Trainer(options);
    // The reference: each step as written before G's forward pass was shared, on a twin with the same weights.
    const twin = await Trainer.fromState(await trainer.getState());
    const { learningRate, beta1, beta2, epsilon, seed } = trainer.options;
    const dOptimizer = tf.train.adam(learningRate, beta1, beta2, epsilon);
    const gOptimizer = tf.train.adam(learningRate, beta1, beta2, epsilon);
    const dVariables = twin.discriminator.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const gVariables = twin.generator.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const referenceStep = (real: tf.Tensor4D, step: number): number[] =>
      tf.tidy(() => {
        const z = sampleLatent(4, 16, deriveSeed(seed, 'step', step));
        const fakes = twin.generator.apply(z, { training: true }) as tf.Tensor;
        const dCost = dOptimizer.minimize(
          () =>
            discriminatorLoss(
              twin.discriminator.apply(real, { training: true }) as tf.Tensor,
              twin.discriminator.apply(fakes, { training: true }) as tf.Tensor,
            ),
          true,
          dVariables,
        )!;
        const statistics = twin.generator.nonTrainableWeights.map((weight) => tf.clone(weight.read()));
        const gCost = gOptimizer.minimize(
          () =>
            generatorLoss(
              twin.discriminator.apply(twin.generator.apply(z, { training: true }), { training: true }) as tf.Tensor,
            ),
          true,
          gVariables,
        )!;
        twin.generator.nonTrainableWeights.forEach((weight, index) => weight.write(statistics[index]!));
        return [dCost.dataSync()[0]!, gCost.dataSync()[0]!];
      });
    const tensorsBefore = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const real = batches[step]!;
      const result = await trainer.step(real);
      const [dLoss, gLoss] = referenceStep(real, step);
      expect(result.discriminatorLoss).toBeCloseTo(dLoss!, 5);
      expect(result.generatorLoss).toBeCloseTo(gLoss!, 5);
    }
    expect(maxDifference(await allWeights(trainer), await allWeights(twin))).toBeLessThan(1e-6);
    // Adam moments created on the first step are the only new tensors (the reference's and the trainer's).
    const tensorsAfterThree = tf.memory().numTensors;
    await trainer.step(batches[3]!);
    expect(tf.memory().numTensors).toBe(tensorsAfterThree);
    expect(tensorsAfterThree).toBeGreaterThan(tensorsBefore);
    dOptimizer.dispose();
    gOptimizer.dispose();
    twin.dispose();
    trainer.dispose();
  });

  it("a few steps on real digits move D's loss down and change both networks", async () => {
    const trainer = new Trainer({ ...options, learningRate: 2e-3 });
    const before = await allWeights(trainer);
    const results: TrainerStepResult[] = [];
    for (let step = 0; step < 8; step++) results.push(await trainer.step(batches[0]!));
    const after = await allWeights(trainer);
    const first = results[0]!;
    const last = results.at(-1)!;
    expect(last.discriminatorLoss).toBeLessThan(first.discriminatorLoss - 0.1);
    expect(last.realScore).toBeGreaterThan(first.realScore);
    expect(
      maxDifference(
        before.slice(0, trainer.generator.weights.length),
        after.slice(0, trainer.generator.weights.length),
      ),
    ).toBeGreaterThan(1e-4);
    expect(
      maxDifference(before.slice(trainer.generator.weights.length), after.slice(trainer.generator.weights.length)),
    ).toBeGreaterThan(1e-4);
    trainer.dispose();
  });

  it('keeps tf.memory().numTensors steady across steps, sampling and state copies', async () => {
    const trainer = new Trainer(options);
    await train(trainer, 1); // the first step creates Adam's moment variables
    const steady = tf.memory().numTensors;
    await train(trainer, 3);
    expect(tf.memory().numTensors).toBe(steady);
    await trainer.sample();
    await trainer.getState();
    expect(tf.memory().numTensors).toBe(steady);
    trainer.dispose();
  });

  it('is reproducible from its seed', async () => {
    const first = new Trainer(options);
    const second = new Trainer(options);
    const third = new Trainer({ ...options, seed: 4 });
    const firstResults = await train(first, 2);
    const secondResults = await train(second, 2);
    await train(third, 2);
    expect(secondResults.map((result) => result.discriminatorLoss)).toEqual(
      firstResults.map((result) => result.discriminatorLoss),
    );
    expect(maxDifference(await allWeights(first), await allWeights(second))).toBe(0);
    expect(maxDifference(await allWeights(first), await allWeights(third))).toBeGreaterThan(1e-3);
    for (const trainer of [first, second, third]) trainer.dispose();
  });

  it('N steps, state, restore, M steps equals N + M steps straight', async () => {
    const straight = new Trainer(options);
    await train(straight, 5);

    const interrupted = new Trainer(options);
    await train(interrupted, 3);
    interrupted.epoch = 1;
    const state = await interrupted.getState();
    interrupted.dispose();
    const resumed = await Trainer.fromState(state);
    expect(resumed.completedSteps).toBe(3);
    expect(resumed.epoch).toBe(1);
    await train(resumed, 2);

    expect(maxDifference(await allWeights(straight), await allWeights(resumed))).toBe(0);
    straight.dispose();
    resumed.dispose();
  });

  it('emits typed events and stops after unsubscribe', async () => {
    const trainer = new Trainer(options);
    const events: TrainerEvent[] = [];
    const stop = trainer.on((event) => events.push(event));
    await train(trainer, 1);
    trainer.epoch = 2;
    const grid = await trainer.sample({ columns: 8, padding: 1 });
    stop();
    await train(trainer, 1);
    expect(events.map((event) => event.status)).toEqual(['step', 'epoch', 'sample']);
    const step = events[0]!;
    expect(step.status === 'step' && step.step).toBe(1);
    expect(grid).toMatchObject({ width: 8 * 16 + 9, height: 8 * 16 + 9, channels: 1 });
    const sample = events[2]!;
    expect(sample.status === 'sample' && sample.grid).toBe(grid);
    trainer.dispose();
  });

  it('rejects bad input with clear errors', async () => {
    const trainer = new Trainer(options);
    await expect(trainer.step(tf.zeros([2, 32, 32, 1]) as tf.Tensor4D)).rejects.toThrow(
      'Expected `realImages` to have shape [batch, 16, 16, 1], got [2, 32, 32, 1]',
    );
    expect(() => new Trainer({ ...options, beta1: 1.5 })).toThrow(
      'Expected `beta1` to be a number in (0, 1), got `1.5`',
    );
    expect(() => new Trainer({ ...options, batchSize: 0 })).toThrow(
      'Expected `batchSize` to be a positive integer, got `0`',
    );
    expect(() => new Trainer({ ...options, config: { imageSize: 48 } })).toThrow(
      'Expected `imageSize` to be a power of two >= 16, got `48`',
    );
    trainer.dispose();
    await expect(trainer.step(batches[0]!)).rejects.toSatisfy(DcganError.isInstance);
  });

  it('refuses a state whose tensors do not fit, naming the tensor', async () => {
    const trainer = new Trainer(options);
    await train(trainer, 1);
    const state = await trainer.getState();
    trainer.dispose();
    const generator = [...state.generator];
    generator[1] = { ...generator[1]!, shape: [3], values: new Float32Array(3) };
    const broken: TrainerState = { ...state, generator };
    const error = await Trainer.fromState(broken).catch((caught: unknown) => caught);
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/Tensor `generator\/g_bn1\/gamma` has shape \[3\], expected \[16\]/);
    const wrongSteps = await Trainer.fromState({ ...state, completedSteps: 7 }).catch((caught: unknown) => caught);
    expect((wrongSteps as Error).message).toMatch(/`generatorOptimizer` has made 1 updates but the state says 7 steps/);
    const optimizer = [...state.generatorOptimizer];
    optimizer[optimizer.length - 2] = { ...optimizer.at(-2)!, values: Float32Array.of(1.5) };
    const badProduct = await Trainer.fromState({ ...state, generatorOptimizer: optimizer }).catch(
      (caught: unknown) => caught,
    );
    expect((badProduct as Error).message).toMatch(
      /Tensor `generatorOptimizer\/accBeta1` is 1.5, expected a number in \[0, 1\)/,
    );
  });
});
