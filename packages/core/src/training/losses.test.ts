import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../test-support/cpu-backend';
import { discriminatorLoss, generatorLoss } from './losses';

beforeAll(useCpuBackend);

// -log(sigmoid(x)) and -log(1 - sigmoid(x)) in double precision, written independently of tfjs.
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

describe('losses', () => {
  const realLogits = [2.5, -0.3, 0.0, 7.1, -12.0];
  const fakeLogits = [-1.2, 0.4, 15.0, -3.3, 0.01];

  it('discriminatorLoss is BCE(real, 1) + BCE(fake, 0)', () => {
    const expected = mean(realLogits.map((x) => softplus(-x))) + mean(fakeLogits.map((x) => softplus(x)));
    const loss = discriminatorLoss(tf.tensor2d(realLogits, [5, 1]), tf.tensor2d(fakeLogits, [5, 1]));
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('generatorLoss is the non-saturating -log D(G(z))', () => {
    const expected = mean(fakeLogits.map((x) => softplus(-x)));
    expect(generatorLoss(tf.tensor2d(fakeLogits, [5, 1])).dataSync()[0]).toBeCloseTo(expected, 5);
  });
});
