import { adamUpdateKernelName as coreAdamUpdateKernelName, applyAdamGradients } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { adamUpdateKernelName } from './adam-update.js';
import { setSimdModuleEnabled, simdKernels } from './simd-module.js';
import { prepareBackends, seededValues } from './test-support/backend-comparison.js';

const shapes = [[4, 4, 3, 8], [17], [100, 30]] as const;
const steps = 4;

/** learning rate, β1, β2, ε: the Trainer's defaults (β1 = 1 - β1 = 0.5), and others. */
type AdamSettings = [number, number, number, number];
const settingsCases: AdamSettings[] = [
  [0.0002, 0.5, 0.999, 1e-7],
  [0.01, 0.9, 0.99, 1e-4],
];

/** Variables, Adam moments and running products after `steps` updates on one backend, as plain data. */
async function train(
  backendName: 'cpu' | 'wasm',
  update: (optimizer: tf.AdamOptimizer, gradients: Array<{ name: string; tensor: tf.Tensor }>) => void,
  settings: AdamSettings,
): Promise<{ values: Float32Array[]; tensorCounts: number[] }> {
  await tf.setBackend(backendName);
  // Gradients with magnitudes from 1e-6 to 1e2 (and a few exact zeros), so that every rounding step matters.
  const variables = shapes.map((shape, index) =>
    tf.variable(tf.tensor(seededValues(tf.util.sizeFromShape([...shape]), 90 + index), [...shape]), true),
  );
  const optimizer = tf.train.adam(...settings);
  const tensorCounts: number[] = [];
  for (let step = 0; step < steps; step++) {
    const gradients = variables.map((variable, index) => {
      const values = seededValues(variable.size, 200 + 10 * step + index);
      for (let element = 0; element < values.length; element++)
        values[element] = element % 17 === 0 ? 0 : (values[element] as number) * 10 ** ((element % 9) - 6);
      return { name: variable.name, tensor: tf.tensor(values, variable.shape) };
    });
    update(optimizer, gradients);
    tf.dispose(gradients.map((gradient) => gradient.tensor));
    tensorCounts.push(tf.memory().numTensors);
  }
  const weights = await optimizer.getWeights();
  const tensors = [
    ...variables,
    ...weights.slice(1).map((weight) => weight.tensor),
    ...(Object.values(optimizer as unknown as Record<string, tf.Tensor>).filter(
      (field) => field instanceof tf.Variable && field.rank === 0,
    ) as tf.Tensor[]),
  ];
  const values = await Promise.all(tensors.map(async (tensor) => Float32Array.from(await tensor.data())));
  expect(tensors.length).toBe(3 * shapes.length + 2);
  expect(await weights[0]!.tensor.data()).toEqual(new Int32Array([steps]));
  weights[0]!.tensor.dispose();
  optimizer.dispose();
  tf.dispose(variables);
  return { values, tensorCounts };
}

describe('DcganAdamUpdate on wasm', () => {
  beforeAll(prepareBackends);

  it('is the kernel name @dcgan/core looks for, registered on wasm only', () => {
    expect(adamUpdateKernelName).toBe(coreAdamUpdateKernelName);
    expect(tf.getKernel(adamUpdateKernelName, 'wasm')).toBeDefined();
    expect(tf.getKernel(adamUpdateKernelName, 'cpu')).toBeUndefined();
  });

  it.each(
    settingsCases.flatMap((settings) => [
      ['one pass of our SIMD module', true, settings] as const,
      ['wasm kernels called directly', false, settings] as const,
    ]),
  )(
    "as %s (SIMD %s, Adam settings %j), moves weights, moments and running products as tfjs-core's Adam does on cpu and on wasm, bit for bit",
    async (_, simd, settings) => {
      await tf.setBackend('wasm');
      // Sizes with a remainder after the 4-wide loop ([17]) run its scalar tail too.
      if (simd) expect(simdKernels(tf.backend() as never)).toBeDefined();
      setSimdModuleEnabled(simd);
      let fused: Awaited<ReturnType<typeof train>>;
      try {
        fused = await train('wasm', applyAdamGradients, settings);
      } finally {
        setSimdModuleEnabled(true);
      }
      const cpu = await train('cpu', (optimizer, gradients) => optimizer.applyGradients(gradients), settings);
      const stockWasm = await train('wasm', (optimizer, gradients) => optimizer.applyGradients(gradients), settings);
      for (const [index, values] of fused.values.entries()) {
        expect(Array.from(values)).toEqual(Array.from(cpu.values[index]!));
        expect(Array.from(values)).toEqual(Array.from(stockWasm.values[index]!));
      }
      // The weights moved (by up to about the learning rate per step).
      const initial = seededValues(4 * 4 * 3 * 8, 90);
      const moved = Math.max(...fused.values[0]!.map((value, index) => Math.abs(value - initial[index]!)));
      expect(moved).toBeGreaterThan(settings[0]);
      expect(new Set(fused.tensorCounts.slice(1)).size).toBe(1);
    },
  );

  it('rejects inputs of the wrong size', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([4]);
    const scalar = tf.scalar(0.5);
    expect(() =>
      tf
        .engine()
        .runKernel(
          adamUpdateKernelName,
          { x, gradient: tf.zeros([3]), m: x, v: x, c1: scalar, c2: scalar },
          { beta1: 0.5, beta2: 0.999, epsilon: 1e-7, learningRate: 0.0002 },
        ),
    ).toThrow(/gradient.*shape \[4\]/);
    tf.dispose([x, scalar]);
  });
});
