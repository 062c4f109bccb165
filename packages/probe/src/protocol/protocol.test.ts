import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { createDiscriminator } from '@dcgan/core';
import { pad, resize, toGrayscale } from '@dcgan/data';
import { beforeAll, describe, expect, it } from 'vitest';

import { createDiscriminatorClassifier } from '../baselines/supervised-cnn';
import { ProbeError } from '../errors/probe-error';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistSource } from '../test-support/mnist-images';
import type { ProbeEvent } from './probe-events';
import { formatProbeTable } from './probe-report';
import { runLinearProbe, standardProbeMethods } from './run-linear-probe';
import { drawPerClass, stratifiedSplit } from './stratified-split';

beforeAll(useCpuBackend);

/** 10 classes, class c at positions with label c; `perClass[c]` images of class c, shuffled order. */
function labelsWith(perClass: readonly number[]): Int32Array {
  const labels = perClass.flatMap((count, label) => Array.from({ length: count }, () => label));
  for (let index = labels.length - 1; index > 0; index--) {
    const other = (index * 7919) % (index + 1);
    [labels[index], labels[other]] = [labels[other]!, labels[index]!];
  }
  return Int32Array.from(labels);
}

const count = (labels: Int32Array, positions: Int32Array, label: number) =>
  Array.from(positions).filter((position) => labels[position] === label).length;

describe('protocol splitting', () => {
  const labels = labelsWith([300, 250, 400, 320, 280, 310, 290, 305, 295, 350]);

  it('draws exactly 100 distinct images of every class from the candidates, reproducibly', () => {
    const { rest: pool } = stratifiedSplit(labels, 1000, { seed: 1 });
    const drawn = drawPerClass(labels, 100, { candidates: pool, seed: 5 });
    expect(drawn).toHaveLength(1000);
    expect(new Set(drawn).size).toBe(1000);
    for (let label = 0; label < 10; label++) expect(count(labels, drawn, label)).toBe(100);
    const poolSet = new Set(pool);
    expect(Array.from(drawn).every((position) => poolSet.has(position))).toBe(true);
    expect(Array.from(drawPerClass(labels, 100, { candidates: pool, seed: 5 }))).toEqual(Array.from(drawn));
    expect(Array.from(drawPerClass(labels, 100, { candidates: pool, seed: 6 }))).not.toEqual(Array.from(drawn));
  });

  it('holds out a stratified validation split of the exact size, disjoint from the pool', () => {
    const { heldOut, rest } = stratifiedSplit(labels, 1000, { seed: 2 });
    expect(heldOut).toHaveLength(1000);
    expect(rest).toHaveLength(labels.length - 1000);
    const all = new Set([...heldOut, ...rest]);
    expect(all.size).toBe(labels.length);
    // Each class gives its share: 400 of 3,100 images -> 129 of 1,000.
    expect(count(labels, heldOut, 2)).toBe(Math.round((1000 * 400) / 3100));
    for (let label = 0; label < 10; label++) {
      const share = (1000 * Array.from(labels).filter((value) => value === label).length) / labels.length;
      expect(Math.abs(count(labels, heldOut, label) - share)).toBeLessThan(1);
    }
  });

  it('names the class that cannot give enough labelled images, and rejects bad sizes and labels', () => {
    const small = labelsWith([120, 120, 120, 120, 120, 120, 120, 99, 120, 120]);
    expect(() => drawPerClass(small, 100)).toThrow(/Cannot draw 100 labelled images of class 7: only 99 are available/);
    expect(() => drawPerClass(labels, 0)).toThrow(/`labelsPerClass` to be a positive integer, got `0`/);
    expect(() => stratifiedSplit(labels, labels.length)).toThrow(/held-out size to be an integer in 0\.\.3099/);
    expect(() => drawPerClass(Int32Array.from([0, 1, -1]), 1)).toThrow(/class label >= 0 at position 2, got `-1`/);
  });
});

describe('runLinearProbe on real MNIST digits (tiny models, cpu backend)', () => {
  it('compares D features, random D, pixels and the supervised CNN over paired draws', async () => {
    const source = await mnistSource(30);
    const config = { imageSize: 32, channels: 1, baseWidth: 4 } as const;
    const trained = createDiscriminator(config, { seed: 1 });
    const random = createDiscriminator(config, { seed: 2 });
    // Train and test are disjoint parts of the 300 digits.
    const trainIndices = Array.from({ length: 300 }, (_, index) => index).filter((index) => index % 30 < 20);
    const testIndices = Array.from({ length: 300 }, (_, index) => index).filter((index) => index % 30 >= 20);
    const events: ProbeEvent[] = [];
    const before = tf.memory().numTensors;
    const report = await runLinearProbe({
      dataset: 'MNIST (test)',
      train: { source, indices: trainIndices, transform: [pad(32)] },
      test: { source, indices: testIndices, transform: [pad(32)] },
      methods: standardProbeMethods(trained, config, random, { training: { epochs: 2, batchSize: 16 }, draws: 1 }),
      validationSize: 50,
      labelsPerClass: 5,
      draws: 2,
      selectionDraws: 1,
      costs: [0.01, 0.1],
      onEvent: (event) => events.push(event),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.protocol).toMatchObject({
      standardize: false,
      labelsPerClass: 5,
      draws: 2,
      trainImages: 200,
      validationImages: 50,
      poolImages: 150,
      testImages: 100,
    });
    expect(report.methods.map((method) => method.name)).toEqual([
      'dcgan-discriminator',
      'random-discriminator',
      'pixels',
      'supervised-cnn',
    ]);
    for (const method of report.methods) {
      expect(method.testErrors.length).toBe(method.kind === 'supervised' ? 1 : 2);
      for (const error of method.testErrors) expect(error).toBeGreaterThanOrEqual(0);
      // 10 classes: anything learnt beats 90% error; pixels on MNIST do far better.
      expect(method.meanTestError).toBeLessThan(method.kind === 'supervised' ? 0.95 : 0.9);
    }
    const pixels = report.methods.find((method) => method.name === 'pixels')!;
    expect(pixels.dimension).toBe(1024);
    expect(pixels.meanTestError).toBeLessThan(0.5);
    expect(report.methods[0]!.dimension).toBe(16 * (4 + 8 + 16));
    expect([0.01, 0.1]).toContain(report.methods[0]!.cost);
    expect(events.filter((event) => event.status === 'method-done')).toHaveLength(4);
    expect(events.some((event) => event.status === 'features' && event.split === 'statistics')).toBe(true);
    const table = formatProbeTable(report);
    expect(table).toContain('| dcgan-discriminator');
    expect(table).toMatch(/pixels +\| \d+\.\d\d ± \d+\.\d\d/);
    trained.dispose();
    random.dispose();
  });

  it('reuses cached batch-norm statistics only for the same images: another seed or statisticsLimit computes them again', async () => {
    const source = await mnistSource(12);
    const config = { imageSize: 32, channels: 1, baseWidth: 4 } as const;
    const discriminator = createDiscriminator(config, { seed: 3 });
    const featureDirectory = await mkdtemp(join(tmpdir(), 'probe-statistics-'));
    const all = Array.from({ length: 120 }, (_, index) => index);
    const run = async (settings: { seed: number; statisticsLimit?: number }) => {
      const events: ProbeEvent[] = [];
      const report = await runLinearProbe({
        dataset: 'MNIST (statistics cache)',
        train: { source, indices: all.filter((index) => index % 12 < 9), transform: [pad(32)] },
        test: { source, indices: all.filter((index) => index % 12 >= 9), transform: [pad(32)] },
        methods: [{ kind: 'discriminator', name: 'd', discriminator }],
        validationSize: 20,
        labelsPerClass: null,
        costs: [0.01],
        featureDirectory,
        ...settings,
        onEvent: (event) => events.push(event),
      });
      const computed = events.some((event) => event.status === 'features' && event.split === 'statistics');
      return { computed, errors: report.methods[0]!.testErrors };
    };
    // Keeps d/batch-norm-statistics.json (the cache under test), removes the feature stores made with it.
    const removeStores = () =>
      Promise.all(
        ['train', 'test'].map((split) => rm(join(featureDirectory, 'd', split), { recursive: true, force: true })),
      );
    try {
      expect((await run({ seed: 1 })).computed).toBe(true);
      await removeStores();
      expect((await run({ seed: 1 })).computed).toBe(false);
      await removeStores();
      // Another seed draws another validation split, so another pool: the cached statistics are not theirs.
      expect((await run({ seed: 2 })).computed).toBe(true);
      await removeStores();
      expect((await run({ seed: 2, statisticsLimit: 40 })).computed).toBe(true);
      await removeStores();
      expect((await run({ seed: 2, statisticsLimit: 40 })).computed).toBe(false);
      // With the stores of other statistics kept, their features are refused rather than reused.
      await expect(run({ seed: 2 })).rejects.toThrow(/this feature store was made with another fingerprint/);
    } finally {
      discriminator.dispose();
      await rm(featureDirectory, { recursive: true, force: true });
    }
  });

  it('runs the whole-pool (CIFAR-10) protocol without touching the pixels the supervised baseline trains on', async () => {
    const source = await mnistSource(12);
    const config = { imageSize: 16, channels: 1, baseWidth: 2 } as const;
    const all = Array.from({ length: 120 }, (_, index) => index);
    const base = {
      dataset: 'MNIST (whole pool)',
      train: {
        source,
        indices: all.filter((index) => index % 12 < 9),
        transform: [pad(32), resize(16), toGrayscale()],
      },
      test: {
        source,
        indices: all.filter((index) => index % 12 >= 9),
        transform: [pad(32), resize(16), toGrayscale()],
      },
      validationSize: 20,
      labelsPerClass: null,
      costs: [0.001, 0.01],
      standardize: true,
    };
    const supervised = { kind: 'supervised', config, training: { epochs: 2, batchSize: 16 } } as const;
    const alone = await runLinearProbe({ ...base, methods: [supervised] });
    const events: ProbeEvent[] = [];
    const after = await runLinearProbe({
      ...base,
      methods: [{ kind: 'pixels' }, supervised],
      onEvent: (event) => events.push(event),
    });
    expect(after.protocol).toMatchObject({
      standardize: true,
      labelsPerClass: null,
      draws: 1,
      poolImages: 70,
      validationImages: 20,
      testImages: 30,
    });
    expect(after.methods[0]!.costSearch!.map((entry) => entry.validationErrors.length)).toEqual([1, 1]);
    expect(after.methods[1]!.testErrors).toEqual(alone.methods[0]!.testErrors);
    expect(events.filter((event) => event.status === 'cost-evaluated')).toHaveLength(2);
    expect(events.some((event) => event.status === 'cost-selected')).toBe(true);
  });

  it('chooses the supervised settings by random search on the validation split (section 5.2) and trains every draw with them', async () => {
    const source = await mnistSource(12);
    const config = { imageSize: 16, channels: 1, baseWidth: 2 } as const;
    const transform = [pad(32), resize(16), toGrayscale()];
    const events: ProbeEvent[] = [];
    const before = tf.memory().numTensors;
    const report = await runLinearProbe({
      dataset: 'MNIST (search)',
      train: { source, indices: Array.from({ length: 90 }, (_, index) => index), transform },
      test: { source, indices: Array.from({ length: 30 }, (_, index) => 90 + index), transform },
      validationSize: 20,
      labelsPerClass: 3,
      draws: 2,
      methods: [{ kind: 'supervised', config, trials: 4, training: { epochs: 2, patience: 1 } }],
      onEvent: (event) => events.push(event),
    });
    expect(tf.memory().numTensors).toBe(before);
    const [method] = report.methods;
    const search = method!.supervisedSearch!;
    expect(search.trials.map((trial) => trial.trial)).toEqual([0, 1, 2, 3]);
    expect(new Set(search.trials.map((trial) => trial.learningRate)).size).toBe(4);
    for (const trial of search.trials) {
      expect(trial.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(trial.learningRate).toBeLessThanOrEqual(1e-2);
      expect([16, 32, 64, 128]).toContain(trial.batchSize);
    }
    // The chosen trial has the lowest validation error, and draw 0 reports that network's errors.
    expect(search.chosen.validationError).toBe(Math.min(...search.trials.map((trial) => trial.validationError)));
    expect(method!.validationErrors[0]).toBe(search.chosen.validationError);
    expect(method!.testErrors).toHaveLength(2);
    expect(events.filter((event) => event.status === 'supervised-trial')).toHaveLength(4);
    const table = formatProbeTable(report);
    expect(table).toContain(
      `supervised: random search over 4 trials on the validation split (draw 0's labels); chosen: learning rate ${search.chosen.learningRate.toExponential(2)}`,
    );
    expect(table).toContain(`| ${search.chosen.trial} (chosen) |`);
    // Without trials, no search.
    const plain = await runLinearProbe({
      dataset: 'MNIST (no search)',
      train: { source, indices: Array.from({ length: 90 }, (_, index) => index), transform },
      test: { source, indices: Array.from({ length: 30 }, (_, index) => 90 + index), transform },
      validationSize: 20,
      labelsPerClass: 3,
      draws: 1,
      methods: [{ kind: 'supervised', config, training: { epochs: 1 } }],
    });
    expect(plain.methods[0]!.supervisedSearch).toBeUndefined();
  });

  it('rejects bad protocol options with a clear message', async () => {
    const source = await mnistSource(2);
    const config = { imageSize: 32, channels: 1, baseWidth: 4 } as const;
    const base = {
      dataset: 'x',
      train: { source, transform: [pad(32)] },
      test: { source, transform: [pad(32)] },
      validationSize: 2,
    };
    const methods = [{ kind: 'supervised', config } as const];
    await expect(runLinearProbe({ ...base, methods: [] })).rejects.toThrow(/at least one method/);
    await expect(runLinearProbe({ ...base, methods, labelsPerClass: 0 })).rejects.toThrow(
      /`labelsPerClass` to be a positive integer or null, got `0`/,
    );
    await expect(runLinearProbe({ ...base, methods, costs: [0.1, -1] })).rejects.toThrow(
      /`costs` to be a non-empty list of positive numbers/,
    );
    await expect(runLinearProbe({ ...base, methods: [{ kind: 'pixels' }] })).rejects.toThrow(
      /Cannot tell the image size/,
    );
    await expect(runLinearProbe({ ...base, methods: [{ kind: 'pixels' }, { kind: 'pixels' }] })).rejects.toThrow(
      /distinct method names, got `pixels` twice/,
    );
    await expect(runLinearProbe({ ...base, methods, labelsPerClass: 5 })).rejects.toThrow(ProbeError);
    await expect(runLinearProbe({ ...base, methods, labelsPerClass: 5 })).rejects.toThrow(
      /Cannot draw 5 labelled images of class \d: only \d are available/,
    );
  });

  it('builds the supervised classifier from D without leaking its unused logit weights', () => {
    const before = tf.memory().numTensors;
    const classifier = createDiscriminatorClassifier({ imageSize: 16, channels: 1, baseWidth: 2 }, 10, 3);
    expect(classifier.outputs[0]!.shape).toEqual([null, 10]);
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
