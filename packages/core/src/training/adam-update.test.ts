import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistDigits } from '../test-support/mnist-digits';
import { adamUpdateKernelName, type AdamUpdateAttributes } from './adam-update';
import type { TrainerState } from './trainer-state';
import { Trainer } from './trainer';

/**
 * The kernel's contract written out as a loop over cpu tensors (what a backend such as @dcgan/backend's wasm
 * provides), so that the Trainer's use of it can be tested here: every operation rounded to float32.
 */
let calls = 0;
const referenceKernel: tf.KernelConfig = {
  kernelName: adamUpdateKernelName,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    calls++;
    const cpu = backend as unknown as {
      data: { get(dataId: object): { values: Float32Array } };
      makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
    };
    const read = (name: string) => cpu.data.get((inputs[name] as tf.TensorInfo).dataId).values;
    const [x, g, m, v] = ['x', 'gradient', 'm', 'v'].map(read) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const c1 = read('c1')[0]!;
    const c2 = read('c2')[0]!;
    const { beta1, beta2, epsilon, learningRate } = attrs as unknown as AdamUpdateAttributes;
    const f = Math.fround;
    const [newX, newM, newV] = [new Float32Array(x.length), new Float32Array(x.length), new Float32Array(x.length)];
    for (let i = 0; i < x.length; i++) {
      newM[i] = f(f(m[i]! * f(beta1)) + f(g[i]! * f(1 - beta1)));
      newV[i] = f(f(v[i]! * f(beta2)) + f(f(g[i]! * g[i]!) * f(1 - beta2)));
      const step = f(f(newM[i]! / c1) / f(f(Math.sqrt(f(newV[i]! / c2))) + f(epsilon)));
      newX[i] = f(step * f(-learningRate)) + x[i]!;
    }
    const shape = [...(inputs.x as tf.TensorInfo).shape];
    return [newX, newM, newV].map((values) => cpu.makeTensorInfo(shape, 'float32', values));
  },
};

const options = {
  config: { imageSize: 16, channels: 1 as const, baseWidth: 8, latentDim: 16 },
  batchSize: 4,
  seed: 11,
  beta1: 0.7,
};
let batches: tf.Tensor4D[];

async function run(trainer: Trainer, steps: number): Promise<void> {
  for (let step = 0; step < steps; step++) await trainer.step(batches[trainer.completedSteps % batches.length]!);
}

function expectSameState(a: TrainerState, b: TrainerState): void {
  for (const group of ['generator', 'discriminator', 'generatorOptimizer', 'discriminatorOptimizer'] as const) {
    expect(a[group].map((tensor) => [tensor.name.replace(/_\d+/g, ''), tensor.shape])).toEqual(
      b[group].map((tensor) => [tensor.name.replace(/_\d+/g, ''), tensor.shape]),
    );
    for (const [index, tensor] of a[group].entries()) expect(tensor.values).toEqual(b[group][index]!.values);
  }
}

describe('the one-kernel Adam update', () => {
  beforeAll(async () => {
    await useCpuBackend();
    batches = Array.from({ length: 3 }, (_, index) => mnistDigits(4, 16, 40 + index * 4));
  });
  afterEach(() => {
    if (tf.getKernel(adamUpdateKernelName, 'cpu') !== undefined) tf.unregisterKernel(adamUpdateKernelName, 'cpu');
  });

  it("trains as tfjs-core's Adam does (weights, moments, products bit for bit) and resumes exactly", async () => {
    const stock = new Trainer(options);
    await run(stock, 4);
    const stockState = await stock.getState();
    stock.dispose();

    tf.registerKernel(referenceKernel);
    calls = 0;
    const fused = new Trainer(options);
    await run(fused, 2);
    const halfway = await fused.getState();
    await run(fused, 2);
    const fusedState = await fused.getState();
    fused.dispose();
    // Once per variable of G and D per step.
    expect(calls).toBe(
      (4 * (stockState.generatorOptimizer.length - 3 + stockState.discriminatorOptimizer.length - 3)) / 2,
    );
    expectSameState(fusedState, stockState);

    // A checkpoint written half way continues as the straight run did, with the kernel or without.
    for (const withKernel of [true, false]) {
      if (!withKernel) tf.unregisterKernel(adamUpdateKernelName, 'cpu');
      const resumed = await Trainer.fromState(halfway);
      await run(resumed, 2);
      expectSameState(await resumed.getState(), stockState);
      resumed.dispose();
    }
  });

  it('leaves the tensor count steady from the second step', async () => {
    tf.registerKernel(referenceKernel);
    const trainer = new Trainer(options);
    const counts: number[] = [];
    for (let step = 0; step < 3; step++) {
      await run(trainer, 1);
      counts.push(tf.memory().numTensors);
    }
    trainer.dispose();
    expect(new Set(counts.slice(1)).size).toBe(1);
  });
});
