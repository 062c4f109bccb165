import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, relativeError, seededTensorData } from './test-support/backend-comparison.js';

describe('Identity on wasm', () => {
  beforeAll(prepareBackends);

  it('clones share the bytes until the last reference goes, and the clone outlives its source', async () => {
    await tf.setBackend('wasm');
    const data = seededTensorData([2, 3, 4], 5);
    const source = tf.tensor(data.values, data.shape);
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const ids = backend.numDataIds();
    const clone = source.clone();
    // Nothing new on the heap: the clone is a second reference to the same data.
    expect(backend.numDataIds()).toBe(ids);
    source.dispose();
    expect(backend.numDataIds()).toBe(ids);
    expect(Array.from(await clone.data())).toEqual(Array.from(data.values));
    clone.dispose();
    expect(backend.numDataIds()).toBe(ids - 1);
  });

  it('keeps dtypes, including int32, bool and string', async () => {
    await tf.setBackend('wasm');
    for (const [values, dtype] of [
      [[1, -2, 3], 'int32'],
      [[1, 0, 1], 'bool'],
      [['a', 'bc', ''], 'string'],
    ] as const) {
      const source = tf.tensor(values as unknown as number[], [3], dtype);
      const clone = source.clone();
      source.dispose();
      expect(clone.dtype).toBe(dtype);
      const expected = dtype === 'bool' ? [true, false, true].map(Number) : [...values];
      const actual = Array.from(await clone.data());
      expect(actual).toEqual(expected);
      clone.dispose();
    }
  });

  it('gradients through saved (cloned) tensors match cpu', async () => {
    const x = seededTensorData([2, 5, 5, 3], 8);
    const filter = seededTensorData([3, 3, 3, 4], 9);
    const gradients = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const [dx, dFilter] = tf.grads((input: tf.Tensor, weights: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(input as tf.Tensor4D, weights as tf.Tensor4D, 1, 'same'))),
      )([tf.tensor(x.values, x.shape), tf.tensor(filter.values, filter.shape)]);
      return [await dx!.data(), await dFilter!.data()];
    };
    const [wasmDx, wasmDFilter] = await gradients('wasm');
    const [cpuDx, cpuDFilter] = await gradients('cpu');
    expect(relativeError(wasmDx!, cpuDx!)).toBeLessThan(1e-5);
    expect(relativeError(wasmDFilter!, cpuDFilter!)).toBeLessThan(1e-5);
  });
});

describe('Cast on wasm', () => {
  beforeAll(prepareBackends);

  it('to the same dtype shares the bytes; to int32 converts (stock kernel) as cpu does', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const source = tf.tensor([1.5, -2.25, 3, 0.5], [2, 2]);
    const ids = backend.numDataIds();
    const same = tf.cast(source, 'float32');
    expect(backend.numDataIds()).toBe(ids);
    source.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2.25, 3, 0.5]);
    const converted = { int32: tf.cast(same, 'int32') };
    expect(backend.numDataIds()).toBe(ids + 1);
    await tf.setBackend('cpu');
    const cpuSource = tf.tensor([1.5, -2.25, 3, 0.5], [2, 2]);
    for (const [dtype, tensor] of Object.entries(converted)) {
      const expected = tf.cast(cpuSource, dtype as 'int32');
      expect(tensor.dtype).toBe(dtype);
      expect(Array.from(await tensor.data())).toEqual(Array.from(await expected.data()));
      expected.dispose();
    }
    cpuSource.dispose();
    await tf.setBackend('wasm');
    tf.dispose([same, converted.int32]);
  });
});
