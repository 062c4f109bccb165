const marker = Symbol.for('@dcgan/train.error');

/**
 * Base error of @dcgan/train: bad options, a run folder that cannot be used or resumed, data that cannot fill a
 * batch. The message says what is wrong and names the folder or file. `TrainError.isInstance(error)` also
 * recognises one thrown by another copy of this package, where `instanceof` would fail.
 *
 * @example
 * try { await train({ directory: 'runs/a', steps: 0 }); } catch (error) { if (TrainError.isInstance(error)) console.error(error.message); }
 */
export class TrainError extends Error {
  private readonly [marker] = true;

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrainError';
  }

  static isInstance(error: unknown): error is TrainError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
