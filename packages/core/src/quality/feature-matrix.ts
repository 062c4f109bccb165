import { DcganError } from '@dcgan/common';
/** Features of `rows` images, `columns` values each, row-major. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly columns: number;
  readonly values: Float32Array | Float64Array;
}

/** Throws unless `matrix` is a well-formed, finite feature matrix with at least `minimumRows` rows. */
export function validateFeatureMatrix(matrix: FeatureMatrix, name: string, minimumRows: number): void {
  const { rows, columns, values } = matrix;
  if (!Number.isInteger(rows) || !Number.isInteger(columns) || columns < 1 || values.length !== rows * columns) {
    throw new DcganError(
      `Expected \`${name}\` to hold rows x columns = ${rows} x ${columns} values, got ${values.length}`,
    );
  }
  if (rows < minimumRows)
    throw new DcganError(`Expected \`${name}\` to have at least ${minimumRows} rows (images), got ${rows}`);
  for (let index = 0; index < values.length; index++) {
    if (!Number.isFinite(values[index]!)) {
      throw new DcganError(
        `Expected \`${name}\` to be finite, got \`${values[index]}\` in row ${Math.floor(index / columns)}`,
      );
    }
  }
}
