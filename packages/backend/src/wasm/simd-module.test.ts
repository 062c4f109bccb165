import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, seededValues } from './test-support/backend-comparison.js';
import { copyStrided, setSimdModuleEnabled, simdKernels } from './simd-module.js';
import { WasmKernelRunner } from './wasm-kernel-toolkit.js';

function permutations(values: number[]): number[][] {
  if (values.length <= 1) return [values];
  return values.flatMap((value, index) =>
    permutations([...values.slice(0, index), ...values.slice(index + 1)]).map((rest) => [value, ...rest]),
  );
}

describe('our wasm module', () => {
  beforeAll(prepareBackends);

  it('loads on the wasm backend', async () => {
    await tf.setBackend('wasm');
    expect(simdKernels(tf.backend() as BackendWasm)).toBeDefined();
  });

  it.each([[[3, 4, 5, 6]], [[8, 4, 4, 16]], [[4, 4, 3, 32]], [[100, 37]], [[5, 1, 7]], [[9]]])(
    'transposes %j by every permutation as tfjs-core does on cpu, bit for bit',
    async (shape) => {
      const values = seededValues(tf.util.sizeFromShape(shape), 5);
      // NaN and -0 keep their bits through a copy.
      values[1] = Number.NaN;
      values[2] = -0;
      for (const perm of permutations(shape.map((_, axis) => axis))) {
        await tf.setBackend('cpu');
        const expected = tf.tidy(() => tf.transpose(tf.tensor(values, shape), perm));
        const expectedValues = await expected.data();
        await tf.setBackend('wasm');
        const backend = tf.backend() as BackendWasm;
        const runner = new WasmKernelRunner(backend);
        const x = tf.tensor(values, shape);
        const out = runner.transpose(x, perm);
        expect(out.shape).toEqual(expected.shape);
        expect(new Uint32Array(runner.view(out).slice().buffer)).toEqual(
          new Uint32Array(Float32Array.from(expectedValues).buffer),
        );
        runner.dispose(out);
        x.dispose();
        expected.dispose();
      }
    },
  );

  it.each([
    ['our module', true, 5],
    ['our module', true, 20],
    ['a plain loop', false, 5],
  ])(
    'copies with strides on both sides (every other row and column of a target, as a phase interleave) with %s, %i channels',
    async (_, enabled, channels) => {
      await tf.setBackend('wasm');
      setSimdModuleEnabled(enabled);
      const backend = tf.backend() as BackendWasm;
      const runner = new WasmKernelRunner(backend);
      const [batch, rows, columns] = [2, 3, 4];
      const source = tf.tensor(seededValues(batch * rows * columns * channels, 8), [batch, rows, columns, channels]);
      const target = runner.allocate([batch, 2 * rows, 2 * columns, channels], true);
      copyStrided(backend, { tensor: source, start: 0 }, { tensor: target, start: (2 * columns + 1) * channels }, [
        { size: batch, from: rows * columns * channels, to: 4 * rows * columns * channels },
        { size: rows, from: columns * channels, to: 2 * 2 * columns * channels },
        { size: columns, from: channels, to: 2 * channels },
        { size: channels, from: 1, to: 1 },
      ]);
      // target[b, 2i + 1, 2j + 1, c] = source[b, i, j, c]; everything else stays zero.
      const sourceValues = await source.data();
      const expected = new Float32Array(batch * 2 * rows * 2 * columns * channels);
      for (let b = 0; b < batch; b++)
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < columns; j++)
            for (let c = 0; c < channels; c++)
              expected[((b * 2 * rows + 2 * i + 1) * 2 * columns + 2 * j + 1) * channels + c] =
                sourceValues[((b * rows + i) * columns + j) * channels + c]!;
      setSimdModuleEnabled(true);
      expect(Array.from(runner.view(target))).toEqual(Array.from(expected));
      runner.dispose(target);
      source.dispose();
    },
  );
});
