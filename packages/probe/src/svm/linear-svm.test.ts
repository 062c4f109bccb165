import { describe, expect, it } from 'vitest';

import { ProbeError } from '../errors/probe-error';
import { standardizationFixture, svmFixtureGenerator, svmFixtures } from '../test-support/svm-fixtures';
import { FeatureMatrix } from './feature-matrix';
import { computeGramMatrix } from './gram-matrix';
import { decisionFunction, errorRate, predictLinearSvm, squaredHingeObjective, trainLinearSvm } from './linear-svm';
import { applyStandardization, fitStandardization } from './standardization';

describe(`trainLinearSvm against scikit-learn LinearSVC (${svmFixtureGenerator})`, () => {
  for (const [fixture, bookkeeping] of svmFixtures.flatMap((fixture) =>
    (['primal', 'gram'] as const).map((mode) => [fixture, mode] as const),
  )) {
    describe(`${fixture.name}, ${bookkeeping} bookkeeping`, () => {
      const options = {
        cost: fixture.cost,
        bias: fixture.fitIntercept ? fixture.interceptScaling : 0,
        tolerance: 1e-10,
        maxIterations: 200_000,
        bookkeeping,
      };
      const model = trainLinearSvm(fixture.features, fixture.labels, options);

      it('converges to LIBLINEAR objective value for every one-vs-rest classifier', () => {
        expect(model.classes).toEqual(fixture.classes);
        expect(model.weights).toHaveLength(fixture.objective.length);
        for (const [classifier, expected] of fixture.objective.entries()) {
          expect(model.classifiers[classifier]!.converged).toBe(true);
          const ours = squaredHingeObjective(model, fixture.features, fixture.labels, classifier);
          expect(Math.abs(ours - expected) / expected).toBeLessThan(1e-6);
        }
      });

      it('finds the same weights and intercepts', () => {
        for (const [classifier, coefficients] of fixture.coef.entries()) {
          const norm = Math.hypot(...coefficients, fixture.intercept[classifier]!);
          const ours = model.weights[classifier]!;
          let difference = (model.intercepts[classifier]! - fixture.intercept[classifier]!) ** 2;
          coefficients.forEach((value, column) => (difference += (ours[column]! - value) ** 2));
          expect(Math.sqrt(difference) / norm).toBeLessThan(1e-4);
        }
      });

      it('predicts the same labels on training and held-out rows', () => {
        expect(Array.from(predictLinearSvm(model, fixture.features))).toEqual(fixture.predictTrain);
        expect(Array.from(predictLinearSvm(model, fixture.testFeatures))).toEqual(fixture.predictTest);
        const scores = decisionFunction(model, fixture.testFeatures);
        const scale = Math.max(...fixture.decisionTest.map(Math.abs));
        fixture.decisionTest.forEach((value, index) =>
          expect(Math.abs(scores[index]! - value)).toBeLessThan(1e-4 * scale),
        );
      });
    });
  }

  it('reaches the same solution with and without shrinking, and from a warm start', () => {
    const fixture = svmFixtures.find((problem) => problem.name === 'three-classes-scaled-intercept')!;
    const base = { cost: fixture.cost, bias: fixture.interceptScaling, tolerance: 1e-10, maxIterations: 200_000 };
    const unshrunk = trainLinearSvm(fixture.features, fixture.labels, { ...base, shrinking: false });
    const smaller = trainLinearSvm(fixture.features, fixture.labels, { ...base, cost: fixture.cost / 10 });
    const warm = trainLinearSvm(fixture.features, fixture.labels, { ...base, warmStart: smaller.dual });
    for (const model of [unshrunk, warm]) {
      fixture.objective.forEach((expected, classifier) =>
        expect(
          Math.abs(squaredHingeObjective(model, fixture.features, fixture.labels, classifier) - expected) / expected,
        ).toBeLessThan(1e-6),
      );
    }
    const cold = trainLinearSvm(fixture.features, fixture.labels, base);
    // A shared Gram matrix gives the same models as computing it per call.
    const gram = computeGramMatrix(fixture.features, base.bias);
    const shared = trainLinearSvm(fixture.features, fixture.labels, { ...base, gram });
    const own = trainLinearSvm(fixture.features, fixture.labels, { ...base, bookkeeping: 'gram' });
    shared.weights.forEach((weights, classifier) =>
      expect(Array.from(weights)).toEqual(Array.from(own.weights[classifier]!)),
    );
    expect(() => trainLinearSvm(fixture.features, fixture.labels, { ...base, bias: 2, gram })).toThrow(
      /`gram` to be computed from these features with bias 2/,
    );
    const passes = (model: typeof cold) => model.classifiers.reduce((sum, report) => sum + report.iterations, 0);
    expect(passes(warm)).toBeLessThan(passes(cold));
  });

  it('reports unconverged training instead of hiding it', () => {
    const fixture = svmFixtures.find((problem) => problem.name === 'binary-overlapping')!;
    const events: string[] = [];
    const model = trainLinearSvm(fixture.features, fixture.labels, {
      cost: 1,
      tolerance: 1e-12,
      maxIterations: 3,
      onEvent: (event) => events.push(event.status),
    });
    expect(model.classifiers[0]!.converged).toBe(false);
    expect(model.classifiers[0]!.iterations).toBe(3);
    expect(events).toEqual(['classifier-start', 'iteration', 'iteration', 'iteration', 'classifier-done']);
  });
});

describe('standardization against scikit-learn StandardScaler', () => {
  it('matches mean, scale (constant column -> 1) and transformed values', () => {
    const statistics = fitStandardization(standardizationFixture.features);
    standardizationFixture.mean.forEach((value, column) => expect(statistics.mean[column]).toBeCloseTo(value, 5));
    standardizationFixture.scale.forEach((value, column) =>
      expect(Math.abs(statistics.scale[column]! - value) / value).toBeLessThan(1e-6),
    );
    const transformed = applyStandardization(standardizationFixture.features, statistics);
    standardizationFixture.transformed.forEach((value, index) => {
      const row = Math.floor(index / standardizationFixture.columns);
      expect(transformed.row(row)[index % standardizationFixture.columns]).toBeCloseTo(value, 5);
    });
    // A new matrix unless asked to work in place.
    expect(transformed.row(0)).not.toBe(standardizationFixture.features.row(0));
  });
});

describe('bad input', () => {
  const features = FeatureMatrix.fromArray(new Float32Array([0, 1, 1, 0, 2, 2]), 3, 2);
  const expectProbeError = (run: () => unknown, message: RegExp) => {
    let thrown: unknown;
    try {
      run();
    } catch (error) {
      thrown = error;
    }
    expect(ProbeError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  };

  it('names the option and the value', () => {
    expectProbeError(
      () => trainLinearSvm(features, [0, 1, 1], { cost: -1 }),
      /Expected `cost` to be a positive number, got `-1`/,
    );
    expectProbeError(() => trainLinearSvm(features, [0, 1, 1], { tolerance: 0 }), /`tolerance`/);
    expectProbeError(
      () => trainLinearSvm(features, [0, 1, 1], { maxIterations: 1.5 }),
      /`maxIterations` to be a positive integer/,
    );
    expectProbeError(() => trainLinearSvm(features, [0, 1, 1], { bias: -2 }), /`bias` to be a number >= 0/);
    expectProbeError(() => trainLinearSvm(features, [0, 1, 1], { costt: 1 } as never), /Unknown SVM option `costt`/);
  });

  it('rejects labels that do not fit the rows', () => {
    expectProbeError(() => trainLinearSvm(features, [0, 1]), /3 rows but 2 labels/);
    expectProbeError(() => trainLinearSvm(features, [0, 0, 0]), /at least two distinct labels/);
    expectProbeError(() => trainLinearSvm(features, [0, 0.5, 1]), /label 1 to be an integer, got `0.5`/);
  });

  it('rejects non-finite features, ragged rows and mismatched widths', () => {
    const broken = FeatureMatrix.fromArray(new Float32Array([0, 1, Number.NaN, 0]), 2, 2);
    expectProbeError(() => trainLinearSvm(broken, [0, 1]), /finite features, got `NaN` at row 1, column 0/);
    expectProbeError(
      () => FeatureMatrix.fromRows([new Float32Array(2), new Float32Array(3)]),
      /row 1 to have 2 values like row 0, got 3/,
    );
    const model = trainLinearSvm(features, [0, 1, 1]);
    expectProbeError(
      () => predictLinearSvm(model, FeatureMatrix.fromArray(new Float32Array(3), 1, 3)),
      /Expected 2 features per row/,
    );
    expectProbeError(() => errorRate([1], [1, 2]), /as many predictions as labels/);
  });

  it('stops on abort with a ProbeError', () => {
    const controller = new AbortController();
    controller.abort();
    expectProbeError(() => trainLinearSvm(features, [0, 1, 1], { signal: controller.signal }), /aborted/);
  });
});
