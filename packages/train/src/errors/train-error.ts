const marker = Symbol.for('@dcgan/train.error');

/**
 * Base error of @dcgan/train. Its message names the file and what is wrong with it. `TrainError.isInstance(error)`
 * also recognises errors thrown by another copy of this package (a second version in node_modules), where
 * `instanceof` would fail.
 *
 * @example
 * try { await writeCurves('runs/mnist'); } catch (error) { if (TrainError.isInstance(error)) console.error(error.message); }
 */
export class TrainError extends Error {
  private readonly [marker] = true;

  /** The file the problem was found in, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options?: { readonly cause?: unknown; readonly file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrainError';
    this.file = options?.file;
  }

  static isInstance(error: unknown): error is TrainError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
