import { generate, sampleLatent } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxDifference, tinyGenerator, useCpuBackend } from '../test-support/tiny-models';
import { cellsInBox, featureMapActivations, fitObjectFeatureMaps, generateWithoutFeatureMaps } from './forget-objects';
import { fitLogisticRegression } from './logistic-regression';
import { parseBoxesFile, type ObjectBox } from './object-boxes';

beforeAll(useCpuBackend);

/** The tiny generator's g_relu2 activations computed by tfjs-layers itself (not by this package's chain runner). */
function referenceActivations(generator: tfl.LayersModel, z: tf.Tensor2D): tf.Tensor4D {
  const model = tfl.model({
    inputs: generator.inputs,
    outputs: generator.getLayer('g_relu2').output as tfl.SymbolicTensor,
  });
  return tf.tidy(() => model.predict(z) as tf.Tensor4D);
}

describe('featureMapActivations', () => {
  it("are the second-highest conv layer's ReLU outputs", async () => {
    const generator = tinyGenerator();
    const z = sampleLatent(3, 8, 1);
    const activations = featureMapActivations(generator, z);
    expect(activations.shape).toEqual([3, 8, 8, 8]);
    expect(await maxDifference(activations, referenceActivations(generator, z))).toBeLessThan(1e-5);
    generator.dispose();
  });

  it('reads another g_relu layer when named, and names the choices when the name is wrong', async () => {
    const generator = tinyGenerator();
    const z = sampleLatent(2, 8, 1);
    const model = tfl.model({
      inputs: generator.inputs,
      outputs: generator.getLayer('g_relu1').output as tfl.SymbolicTensor,
    });
    const activations = featureMapActivations(generator, z, 'g_relu1');
    expect(activations.shape).toEqual([2, 4, 4, 16]);
    expect(await maxDifference(activations, model.predict(z) as tf.Tensor4D)).toBeLessThan(1e-5);
    // Dropping g_relu1 maps changes the picture; dropping none does not.
    expect(
      await maxDifference(generateWithoutFeatureMaps(generator, z, [], 'g_relu1'), generate(generator, z)),
    ).toBeLessThan(1e-6);
    expect(
      await maxDifference(generateWithoutFeatureMaps(generator, z, [0, 1, 2], 'g_relu1'), generate(generator, z)),
    ).toBeGreaterThan(1e-4);
    expect(() => featureMapActivations(generator, z, 'g_relu3')).toThrow(
      /g_relu1 \(4x4x16\), g_relu2 \(8x8x8\), got `g_relu3`/,
    );
    generator.dispose();
  });
});

describe('generateWithoutFeatureMaps', () => {
  it('dropping no maps is plain generation', async () => {
    const generator = tinyGenerator();
    const z = sampleLatent(4, 8, 2);
    expect(await maxDifference(generateWithoutFeatureMaps(generator, z, []), generate(generator, z))).toBeLessThan(
      1e-6,
    );
    generator.dispose();
  });

  it('removing maps that are zero changes nothing; removing live maps does', async () => {
    const generator = tinyGenerator();
    // Kill map 5: batch norm scale 0, shift -1, so its ReLU output is 0 everywhere.
    const batchNorm = generator.getLayer('g_bn2');
    const [gamma, beta, ...statistics] = batchNorm.getWeights();
    const mask = tf.tensor1d([1, 1, 1, 1, 1, 0, 1, 1]);
    batchNorm.setWeights([tf.mul(gamma!, mask), tf.sub(tf.mul(beta!, mask), tf.sub(1, mask)), ...statistics]);
    const z = sampleLatent(4, 8, 3);
    expect(Math.max(...(await tf.slice(featureMapActivations(generator, z), [0, 0, 0, 5], [4, 8, 8, 1]).data()))).toBe(
      0,
    );
    const plain = generate(generator, z);
    expect(await maxDifference(generateWithoutFeatureMaps(generator, z, [5]), plain)).toBe(0);
    expect(await maxDifference(generateWithoutFeatureMaps(generator, z, [0, 3]), plain)).toBeGreaterThan(1e-4);
    generator.dispose();
  });

  it('equals a generator whose last layer ignores those maps (zeroed kernel slices)', async () => {
    const generator = tinyGenerator(7);
    const reference = tinyGenerator(7);
    const deconv = reference.getLayer('g_deconv3');
    const [kernel] = deconv.getWeights(); // [4, 4, outChannels, inChannels] for a transposed conv
    const keep = tf.tensor4d([0, 1, 1, 0, 1, 1, 1, 0], [1, 1, 1, 8]);
    deconv.setWeights([tf.mul(kernel!, keep)]);
    const z = sampleLatent(5, 8, 4);
    expect(
      await maxDifference(generateWithoutFeatureMaps(generator, z, [0, 3, 7]), generate(reference, z)),
    ).toBeLessThan(1e-5);
    generator.dispose();
    reference.dispose();
  });

  it('rejects map indices outside the layer', () => {
    const generator = tinyGenerator();
    expect(() => generateWithoutFeatureMaps(generator, sampleLatent(1, 8, 1), [8])).toThrow(
      'Expected every feature map index to be an integer in 0..7 (layer `g_relu2`), got `8`',
    );
    generator.dispose();
  });

  it('leaks no tensors', () => {
    const generator = tinyGenerator();
    const z = sampleLatent(2, 8, 1);
    generateWithoutFeatureMaps(generator, z, [1]).dispose();
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) generateWithoutFeatureMaps(generator, z, [round]).dispose();
    expect(tf.memory().numTensors).toBe(before);
    generator.dispose();
  });
});

describe('cellsInBox', () => {
  it('takes the feature cells whose centres lie in the box', () => {
    // 16px image, 8x8 features: cell centres at 1, 3, 5, ... pixels.
    expect(cellsInBox({ sample: 0, x: 2, y: 4, width: 4, height: 2 }, 16, 8)).toEqual([17, 18]);
    expect(cellsInBox({ sample: 0, x: 0, y: 0, width: 16, height: 16 }, 16, 8)).toHaveLength(64);
    // Too small to hold a centre: the cell under the box's centre.
    expect(cellsInBox({ sample: 0, x: 0.2, y: 0.2, width: 0.5, height: 0.5 }, 16, 8)).toEqual([0]);
  });
});

describe('fitObjectFeatureMaps', () => {
  it('labels box cells positive and the rest of the image negative, and drops the positive-weight maps', async () => {
    const generator = tinyGenerator(5);
    const z = sampleLatent(6, 8, 11);
    const boxes: ObjectBox[] = [
      { sample: 1, x: 0, y: 0, width: 8, height: 8 },
      { sample: 4, x: 8, y: 4, width: 6, height: 10 },
      { sample: 4, x: 0, y: 12, width: 4, height: 4 },
    ];
    // Every outside cell becomes a negative, so the training set is known exactly.
    const found = await fitObjectFeatureMaps(generator, z, boxes, { negativesPerPositive: 1000 });
    expect(found.layerName).toBe('g_relu2');
    expect([found.mapCount, found.featureSize]).toEqual([8, 8]);
    const inside = new Map<number, Set<number>>([
      [1, new Set(cellsInBox(boxes[0]!, 16, 8))],
      [4, new Set([...cellsInBox(boxes[1]!, 16, 8), ...cellsInBox(boxes[2]!, 16, 8)])],
    ]);
    expect(found.positives).toBe(16 + 15 + 4);
    expect(found.negatives).toBe(64 * 2 - found.positives);

    const activations = (await referenceActivations(generator, z).array()) as number[][][][];
    const rows: number[] = [];
    const labels: number[] = [];
    for (const [sample, cells] of inside) {
      for (let cell = 0; cell < 64; cell++) {
        rows.push(...activations[sample]![Math.floor(cell / 8)]![cell % 8]!);
        labels.push(cells.has(cell) ? 1 : 0);
      }
    }
    const reference = fitLogisticRegression(rows, labels, 8);
    found.weights.forEach((weight, map) => expect(weight).toBeCloseTo(reference.weights[map]!, 3));
    expect(found.converged).toBe(true);
    const positive = found.weights.flatMap((weight, map) => (weight > 0 ? [map] : []));
    expect([...found.droppedMaps].sort()).toEqual(positive);
    const droppedWeights = found.droppedMaps.map((map) => found.weights[map]!);
    expect(droppedWeights).toEqual([...droppedWeights].sort((a, b) => b - a));
    generator.dispose();
  });

  it('adds the positions of boxes marked negative as negatives, alone when negativesPerPositive is 0', async () => {
    const generator = tinyGenerator(5);
    const z = sampleLatent(3, 8, 13);
    const boxes: ObjectBox[] = [
      { sample: 0, x: 0, y: 0, width: 8, height: 4 }, // cells 0-3 and 8-11
      { sample: 0, x: 4, y: 0, width: 8, height: 8, negative: true }, // 4x4 cells, 4 of them also in the object box
      { sample: 2, x: 8, y: 8, width: 4, height: 4, negative: true }, // an image with negatives only
    ];
    const only = await fitObjectFeatureMaps(generator, z, boxes, { negativesPerPositive: 0 });
    expect([only.positives, only.boxedNegatives, only.negatives]).toEqual([8, 12 + 4, 16]);
    const mixed = await fitObjectFeatureMaps(generator, z, boxes, { negativesPerPositive: 1 });
    // Random negatives only where there is an object: 8 in sample 0, none in sample 2.
    expect([mixed.positives, mixed.boxedNegatives, mixed.negatives]).toEqual([8, 16, 16 + 8]);
    await expect(fitObjectFeatureMaps(generator, z, [{ ...boxes[1]! }])).rejects.toThrow(
      'Found no object positions: every box is marked `negative`',
    );
    generator.dispose();
  });

  it('finds the map that fires where the boxes are', async () => {
    const generator = tinyGenerator(6);
    const z = sampleLatent(12, 8, 12);
    const activations = (await referenceActivations(generator, z).array()) as number[][][][];
    // Box, in each sample, the 2x2-pixel cell where map 2 fires most.
    const boxes = activations.map((sample, index) => {
      let best = { value: -1, row: 0, column: 0 };
      sample.forEach((row, y) =>
        row.forEach((maps, x) => {
          if (maps[2]! > best.value) best = { value: maps[2]!, row: y, column: x };
        }),
      );
      return { sample: index, x: best.column * 2, y: best.row * 2, width: 2, height: 2 };
    });
    const found = await fitObjectFeatureMaps(generator, z, boxes, { negativesPerPositive: 4, l2: 0.01, seed: 3 });
    // Map 2 gets the largest weight: it is the first to drop.
    expect(found.droppedMaps[0]).toBe(2);
    generator.dispose();
  });
});

describe('parseBoxesFile', () => {
  it('reads a boxes file and names the file and field of each problem', () => {
    const good = { seed: 3, count: 10, imageSize: 32, boxes: [{ sample: 2, x: 1, y: 2, width: 10, height: 5 }] };
    expect(parseBoxesFile(JSON.stringify(good), 'boxes.json')).toEqual(good);
    expect(() => parseBoxesFile('{', 'boxes.json')).toThrow(/^boxes\.json: not valid JSON/);
    expect(() => parseBoxesFile({ ...good, boxes: [{ ...good.boxes[0], width: -1 }] }, 'boxes.json')).toThrow(
      'boxes.json: expected `boxes[0].width` to be a number >= 5e-324, got `-1`',
    );
    expect(() => parseBoxesFile({ ...good, boxes: [{ ...good.boxes[0], sample: 10 }] }, 'b.json')).toThrow(
      'b.json: `boxes[0].sample` is 10, but only 10 samples were drawn (0..9)',
    );
    expect(() => parseBoxesFile({ ...good, boxes: [{ ...good.boxes[0], x: 25 }] }, 'b.json')).toThrow(
      'b.json: `boxes[0]` (x 25, y 2, 10x5) reaches outside the 32x32 image',
    );
    expect(() => parseBoxesFile({ ...good, boxes: [] }, 'b.json')).toThrow('b.json: has no boxes');
    const withNegative = {
      ...good,
      boxes: [...good.boxes, { sample: 1, x: 0, y: 0, width: 4, height: 4, negative: true }],
    };
    expect(parseBoxesFile(withNegative, 'b.json').boxes[1]).toEqual({
      sample: 1,
      x: 0,
      y: 0,
      width: 4,
      height: 4,
      negative: true,
    });
    expect(() => parseBoxesFile({ ...good, boxes: [{ ...good.boxes[0], negative: 'yes' }] }, 'b.json')).toThrow(
      'b.json: expected `boxes[0].negative` to be true or false, got `"yes"`',
    );
    expect(() => parseBoxesFile({ ...good, boxes: [{ ...good.boxes[0], negative: true }] }, 'b.json')).toThrow(
      'b.json: has no boxes',
    );
    expect(() => parseBoxesFile({ ...good, seed: 'x' }, 'b.json')).toThrow(
      'b.json: expected `seed` to be an integer >= 0, got `"x"`',
    );
  });
});
