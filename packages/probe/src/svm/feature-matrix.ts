import { ProbeError, describeValue } from '../errors/probe-error';

/** Largest block of rows that {@link FeatureMatrix.allocate} puts in one ArrayBuffer (256 MiB). */
const blockBytes = 256 * 2 ** 20;

/**
 * A dense row-major float32 matrix (one row per image, one column per feature), stored as row views into
 * one or more blocks, so a 50,000 x 28,672 matrix (5.3 GiB) needs no single huge ArrayBuffer.
 * Rows are views: {@link FeatureMatrix.select} shares memory with its source.
 *
 * @example
 * ```ts
 * const matrix = FeatureMatrix.fromArray(new Float32Array([1, 2, 3, 4, 5, 6]), 3, 2);
 * matrix.row(2); // Float32Array [5, 6]
 * ```
 */
export class FeatureMatrix {
  readonly rowCount: number;
  readonly columnCount: number;
  private readonly rows: readonly Float32Array[];

  private constructor(rows: readonly Float32Array[], columnCount: number) {
    this.rows = rows;
    this.rowCount = rows.length;
    this.columnCount = columnCount;
  }

  /** A zero-filled matrix, allocated in blocks of at most 256 MiB. */
  static allocate(rowCount: number, columnCount: number): FeatureMatrix {
    checkCount(rowCount, 'rowCount', 0);
    checkCount(columnCount, 'columnCount', 1);
    const rowsPerBlock = Math.max(1, Math.floor(blockBytes / (columnCount * 4)));
    const rows: Float32Array[] = [];
    for (let start = 0; start < rowCount; start += rowsPerBlock) {
      const count = Math.min(rowsPerBlock, rowCount - start);
      const block = new Float32Array(count * columnCount);
      for (let row = 0; row < count; row++) rows.push(block.subarray(row * columnCount, (row + 1) * columnCount));
    }
    return new FeatureMatrix(rows, columnCount);
  }

  /** Wraps rows (not copied); every row must have the same length. */
  static fromRows(rows: readonly Float32Array[], columnCount = rows[0]?.length): FeatureMatrix {
    if (columnCount === undefined)
      throw new ProbeError('Expected at least one row, or `columnCount`, to build a FeatureMatrix');
    checkCount(columnCount, 'columnCount', 1);
    rows.forEach((row, index) => {
      if (!(row instanceof Float32Array))
        throw new ProbeError(`Expected row ${index} to be a Float32Array, got ${describeValue(row)}`);
      if (row.length !== columnCount) {
        throw new ProbeError(`Expected row ${index} to have ${columnCount} values like row 0, got ${row.length}`);
      }
    });
    return new FeatureMatrix([...rows], columnCount);
  }

  /** Views `values` (length `rowCount * columnCount`, row-major) as a matrix; not copied. */
  static fromArray(values: Float32Array, rowCount: number, columnCount: number): FeatureMatrix {
    checkCount(rowCount, 'rowCount', 0);
    checkCount(columnCount, 'columnCount', 1);
    if (!(values instanceof Float32Array))
      throw new ProbeError(`Expected \`values\` to be a Float32Array, got ${describeValue(values)}`);
    if (values.length !== rowCount * columnCount) {
      throw new ProbeError(
        `Expected ${rowCount} x ${columnCount} = ${rowCount * columnCount} values, got ${values.length}`,
      );
    }
    const rows: Float32Array[] = [];
    for (let row = 0; row < rowCount; row++) rows.push(values.subarray(row * columnCount, (row + 1) * columnCount));
    return new FeatureMatrix(rows, columnCount);
  }

  /** Row `index` (a view: writing to it changes the matrix). */
  row(index: number): Float32Array {
    const row = this.rows[index];
    if (row === undefined)
      throw new ProbeError(`Expected a row index in 0..${this.rowCount - 1}, got \`${describeValue(index)}\``);
    return row;
  }

  /** The rows at `indices`, in that order, as a matrix sharing memory with this one. */
  select(indices: ArrayLike<number>): FeatureMatrix {
    const rows: Float32Array[] = new Array<Float32Array>(indices.length);
    for (let position = 0; position < indices.length; position++) rows[position] = this.row(indices[position]!);
    return new FeatureMatrix(rows, this.columnCount);
  }

  /** A deep copy (new blocks). */
  copy(): FeatureMatrix {
    const copy = FeatureMatrix.allocate(this.rowCount, this.columnCount);
    for (let row = 0; row < this.rowCount; row++) copy.rows[row]!.set(this.rows[row]!);
    return copy;
  }

  /** All rows, in order (views). */
  *[Symbol.iterator](): IterableIterator<Float32Array> {
    yield* this.rows;
  }
}

function checkCount(value: unknown, name: string, minimum: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new ProbeError(`Expected \`${name}\` to be an integer >= ${minimum}, got \`${describeValue(value)}\``);
  }
}
