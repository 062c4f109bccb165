import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitLogisticRegression } from './logistic-regression';

interface Case {
  readonly name: string;
  readonly l2: number;
  readonly dimension: number;
  readonly features: number[];
  readonly labels: number[];
  readonly weights: number[];
  readonly bias: number;
}

// Made by scripts/make-logistic-fixture.py with scikit-learn's LogisticRegression (newton-cg, tol 1e-12).
const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/logistic-regression.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('fitLogisticRegression', () => {
  it.each(fixture.cases.map((entry) => [entry.name, entry] as const))('matches scikit-learn on %s', (_, entry) => {
    const model = fitLogisticRegression(entry.features, entry.labels, entry.dimension, { l2: entry.l2 });
    expect(model.converged).toBe(true);
    model.weights.forEach((weight, index) => expect(Math.abs(weight - entry.weights[index]!)).toBeLessThan(1e-7));
    expect(Math.abs(model.bias - entry.bias)).toBeLessThan(1e-7);
    // A feature map that never fires gets weight exactly 0, so it is never "positive".
    expect(model.weights[entry.dimension - 1]).toBe(0);
  });

  it('handles separable data (the penalty keeps the weights finite)', () => {
    const model = fitLogisticRegression([0, 1, 2, 3], [0, 0, 1, 1], 1, { l2: 0.1 });
    expect(model.converged).toBe(true);
    expect(model.trainingAccuracy).toBe(1);
    expect(Number.isFinite(model.weights[0]!)).toBe(true);
    expect(model.weights[0]).toBeGreaterThan(0);
  });

  it('rejects bad input', () => {
    expect(() => fitLogisticRegression([1, 2, 3], [0, 1], 2)).toThrow(
      'Expected 2 x 2 = 4 feature values for 2 labels, got 3',
    );
    expect(() => fitLogisticRegression([1, 2], [0, 2], 1)).toThrow(
      'Expected every label to be 0 or 1, got `2` at row 1',
    );
    expect(() => fitLogisticRegression([1, Number.NaN], [0, 1], 1)).toThrow(
      'Expected finite features, got `NaN` at row 1',
    );
    expect(() => fitLogisticRegression([1, 2], [0, 1], 1, { l2: 0 })).toThrow(
      'Expected `l2` to be a finite number > 0, got `0`',
    );
  });
});
