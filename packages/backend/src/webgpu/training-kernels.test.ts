import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { compareWithCpu, describeWebGpu, seededTensorData } from './test-support/webgpu-tests.js';

// Every kernel of a DCGAN training step (forward and gradient), on webgpu against tfjs's cpu backend, on
// several shapes. Float32 sums in another order differ by ~1e-6 relative; 1e-4 leaves room for long sums.
const tolerance = 1e-4;

/** sum(f(x) * r) for a fixed random r, so that every output element gets its own gradient weight. */
function weightedSum(output: tf.Tensor, seed: number): tf.Scalar {
  const weights = seededTensorData(output.shape, seed);
  return tf.sum(tf.mul(output, tf.tensor(weights.values, output.shape)));
}

interface ConvCase {
  readonly x: [number, number, number, number];
  readonly kernel: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly pad: 'same' | 'valid';
}

const convCases: ConvCase[] = [
  { x: [2, 8, 8, 3], kernel: 4, outChannels: 8, stride: 2, pad: 'same' }, // D's input layer
  { x: [4, 16, 16, 16], kernel: 4, outChannels: 32, stride: 2, pad: 'same' },
  { x: [3, 7, 9, 5], kernel: 3, outChannels: 6, stride: 2, pad: 'same' }, // odd sizes
  { x: [2, 4, 4, 64], kernel: 4, outChannels: 1, stride: 1, pad: 'valid' }, // D's logit layer
  { x: [1, 6, 6, 2], kernel: 5, outChannels: 3, stride: 1, pad: 'same' },
];

describeWebGpu('DCGAN training kernels', () => {
  it.each(
    convCases.map(
      (c) => [`x ${c.x.join('x')}, ${c.kernel}x${c.kernel}x${c.outChannels}, stride ${c.stride} ${c.pad}`, c] as const,
    ),
  )('conv2d and its gradients match cpu: %s', async (_, c) => {
    const x = seededTensorData(c.x, 1);
    const filter = seededTensorData([c.kernel, c.kernel, c.x[3], c.outChannels], 2);
    const { errors } = await compareWithCpu([x, filter], (xs, w) => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        weightedSum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), 3);
      const output = tf.conv2d(xs as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
      return [output, ...tf.grads(f)([xs!, w!])];
    });
    for (const error of errors) expect(error).toBeLessThan(tolerance);
  });

  it.each(
    convCases.map((c) => [`y ${c.x.join('x')}, ${c.kernel}x${c.kernel}, stride ${c.stride} ${c.pad}`, c] as const),
  )('conv2dTranspose and its gradients match cpu: %s', async (_, c) => {
    // G's layers: the transposed convolution whose output is c.x.
    const info = tf.backend_util.computeConv2DInfo(
      c.x,
      [c.kernel, c.kernel, c.x[3], c.outChannels],
      c.stride,
      1,
      c.pad,
    );
    const input = seededTensorData(info.outShape, 4);
    const filter = seededTensorData([c.kernel, c.kernel, c.x[3], c.outChannels], 5);
    const { errors } = await compareWithCpu([input, filter], (y, w) => {
      const forward = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x, c.stride, c.pad);
      return [forward(y!, w!), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => weightedSum(forward(a, b), 6))([y!, w!])];
    });
    for (const error of errors) expect(error).toBeLessThan(tolerance);
  });

  it.each([[[4, 8, 8, 16]], [[2, 4, 4, 512]], [[16, 1, 1, 7]], [[3, 5, 7, 3]]] as const)(
    'batch norm in training mode (moments, normalise, scale) and its gradients match cpu: %j',
    async (shape) => {
      const x = seededTensorData(shape, 7);
      const gamma = seededTensorData([shape[3]], 8);
      const beta = seededTensorData([shape[3]], 9);
      const { errors } = await compareWithCpu([x, gamma, beta], (xs, g, b) => {
        // As tfjs-layers' BatchNormalization does in training: batch moments over N, H, W, then tf.batchNorm.
        const forward = (a: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, [0, 1, 2]);
          return tf.batchNorm(a, mean, variance, offset, scale, 1e-5);
        };
        const moments = tf.moments(xs!, [0, 1, 2]);
        return [
          forward(xs!, g!, b!),
          moments.mean,
          moments.variance,
          ...tf.grads((a: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) =>
            weightedSum(forward(a, scale, offset), 10),
          )([xs!, g!, b!]),
        ];
      });
      for (const error of errors) expect(error).toBeLessThan(tolerance);
    },
  );

  it.each([
    ['relu', (a: tf.Tensor) => tf.relu(a)],
    ['leakyRelu 0.2', (a: tf.Tensor) => tf.leakyRelu(a, 0.2)],
    ['tanh', (a: tf.Tensor) => tf.tanh(a)],
    ['sigmoid', (a: tf.Tensor) => tf.sigmoid(a)],
  ] as const)('%s and its gradient match cpu', async (_, activation) => {
    for (const shape of [[4, 8, 8, 16], [3, 5, 7, 3], [1001]]) {
      const x = seededTensorData(shape, 11);
      // Scaled to [-4, 4): both sides of zero and tanh's flat tails.
      x.values.forEach((value, index) => (x.values[index] = value * 4));
      const { errors } = await compareWithCpu([x], (a) => [
        activation(a!),
        tf.grad((b: tf.Tensor) => weightedSum(activation(b), 12))(a!),
      ]);
      for (const error of errors) expect(error).toBeLessThan(tolerance);
    }
  });

  it.each([[[64, 1]], [[128, 1]], [[7, 1]]] as const)(
    'sigmoid cross-entropy (both labels) and its gradient match cpu: %j',
    async (shape) => {
      const logits = seededTensorData(shape, 13);
      logits.values.forEach((value, index) => (logits.values[index] = value * 8));
      for (const label of [0, 1]) {
        const { errors } = await compareWithCpu([logits], (l) => {
          const loss = (a: tf.Tensor) => tf.losses.sigmoidCrossEntropy(tf.fill(a.shape, label), a) as tf.Scalar;
          return [loss(l!), tf.grad(loss)(l!)];
        });
        for (const error of errors) expect(error).toBeLessThan(tolerance);
      }
    },
  );

  it.each([
    [16, 100, 8192],
    [64, 100, 1024],
    [5, 33, 17],
    [128, 8192, 1],
  ] as const)('dense (matMul + bias) and its gradients match cpu: batch %i, %i -> %i', async (batch, inputs, units) => {
    const x = seededTensorData([batch, inputs], 14);
    const kernel = seededTensorData([inputs, units], 15);
    const bias = seededTensorData([units], 16);
    const { errors } = await compareWithCpu([x, kernel, bias], (a, w, b) => {
      const forward = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
        tf.add(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), r);
      return [
        forward(a!, w!, b!),
        ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => weightedSum(forward(p, q, r), 17))([a!, w!, b!]),
      ];
    });
    for (const error of errors) expect(error).toBeLessThan(tolerance);
  });

  it.each([
    [16, 8192, 100],
    [128, 8192, 100],
    [4, 2048, 64],
  ] as const)(
    'matMul with transposeB and a long inner dimension (G projection gradient; split-K fix) matches cpu: %i x %i x %i',
    async (m, k, n) => {
      const a = seededTensorData([m, k], 20);
      const b = seededTensorData([n, k], 21);
      const { errors } = await compareWithCpu([a, b], (p, q) => [
        tf.matMul(p!, q!, false, true),
        tf.matMul(q!, p!, false, true),
      ]);
      for (const error of errors) expect(error).toBeLessThan(tolerance);
    },
  );

  it('Adam (the paper: lr 2e-4, beta1 0.5) over 5 steps matches cpu, moments included', async () => {
    const run = async (backendName: 'cpu' | 'webgpu') => {
      await tf.setBackend(backendName);
      const start = seededTensorData([4, 4, 8, 16], 18);
      const variable = tf.variable(tf.tensor(start.values, start.shape));
      const optimizer = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
      for (let step = 0; step < 5; step++) {
        const gradient = seededTensorData(start.shape, 19 + step);
        tf.tidy(() =>
          optimizer.applyGradients({ [variable.name]: tf.tensor(gradient.values, gradient.shape) as tf.Variable }),
        );
      }
      const weights = await optimizer.getWeights();
      const values = [
        Float32Array.from(await variable.data()),
        ...(await Promise.all(
          weights.slice(1).map(async (named) => Float32Array.from((await named.tensor.data()) as Float32Array)),
        )),
      ];
      weights[0]?.tensor.dispose();
      optimizer.dispose();
      variable.dispose();
      return { start: start.values, values };
    };
    const webgpu = await run('webgpu');
    const cpu = await run('cpu');
    const { relativeError } = await import('./test-support/webgpu-tests.js');
    // The update is ~5 learning rates; it must agree far more closely than one.
    expect(relativeError(webgpu.values[0]!, webgpu.start)).toBeGreaterThan(1e-4);
    expect(webgpu.values).toHaveLength(3); // variable, first and second moments
    for (const [index, values] of webgpu.values.entries())
      expect(relativeError(values, cpu.values[index]!)).toBeLessThan(tolerance);
  });
});
