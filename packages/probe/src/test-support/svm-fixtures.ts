import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { FeatureMatrix } from '../svm/feature-matrix';

/** One problem solved by scikit-learn's LinearSVC (scripts/make-svm-fixtures.py). */
export interface SvmFixture {
  readonly name: string;
  readonly cost: number;
  readonly fitIntercept: boolean;
  readonly interceptScaling: number;
  readonly features: FeatureMatrix;
  readonly labels: number[];
  readonly testFeatures: FeatureMatrix;
  readonly classes: number[];
  readonly coef: number[][];
  readonly intercept: number[];
  readonly objective: number[];
  readonly predictTrain: number[];
  readonly predictTest: number[];
  readonly decisionTest: number[];
}

interface RawProblem {
  name: string;
  cost: number;
  fitIntercept: boolean;
  interceptScaling: number;
  rows: number;
  columns: number;
  x: string;
  y: number[];
  testRows: number;
  xTest: string;
  classes: number[];
  coef: number[][];
  intercept: number[];
  objective: number[];
  predictTrain: number[];
  predictTest: number[];
  decisionTest: number[];
}

interface RawFixtures {
  generator: string;
  problems: RawProblem[];
  standardization: { rows: number; columns: number; x: string; mean: number[]; scale: number[]; transformed: number[] };
}

/** Decodes little-endian float32 bytes from base64. */
export function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const values = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let index = 0; index < values.length; index++) values[index] = view.getFloat32(index * 4, true);
  return values;
}

const raw = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/svm-fixtures.json', import.meta.url)), 'utf8'),
) as RawFixtures;

export const svmFixtureGenerator = raw.generator;

export const svmFixtures: SvmFixture[] = raw.problems.map((problem) => ({
  ...problem,
  features: FeatureMatrix.fromArray(float32FromBase64(problem.x), problem.rows, problem.columns),
  labels: problem.y,
  testFeatures: FeatureMatrix.fromArray(float32FromBase64(problem.xTest), problem.testRows, problem.columns),
}));

export const standardizationFixture = {
  ...raw.standardization,
  features: FeatureMatrix.fromArray(
    float32FromBase64(raw.standardization.x),
    raw.standardization.rows,
    raw.standardization.columns,
  ),
};
