const marker = Symbol.for('@dcgan/data.error');

/**
 * Base error of @dcgan/data. Every error this package throws is a `DataError` whose message names the file
 * (or item) and what is wrong with it. `DataError.isInstance(error)` also recognises errors thrown by another
 * copy of this package (a second version in node_modules), where `instanceof` would fail.
 *
 * @example
 * try { await openCifar10Batches(['data_batch_1.bin']); } catch (error) { if (DataError.isInstance(error)) console.error(error.message); }
 */
export class DataError extends Error {
  private readonly [marker] = true;

  /** The file the problem was found in, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options?: { readonly cause?: unknown; readonly file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DataError';
    this.file = options?.file;
  }

  static isInstance(error: unknown): error is DataError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
