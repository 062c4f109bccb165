const marker = 'dcgan.dedup.error';
const symbol = Symbol.for(marker);

/** Options of a {@link DedupError}. */
export interface DedupErrorOptions {
  /** The error that made this one happen, when there is one. */
  readonly cause?: unknown;
  /** The file at fault (a hasher file, a hash store, a report), when there is one. */
  readonly file?: string;
}

/**
 * Base class of every error that `@dcgan/dedup` throws. The message names the file (when there is one) and
 * what is wrong with it. Use {@link DedupError.isInstance} rather than `instanceof`: it also recognises errors
 * thrown by a second copy of this package.
 *
 * @example
 * try {
 *   await loadSemanticHasher('hasher.bin');
 * } catch (error) {
 *   if (DedupError.isInstance(error)) console.error(error.message);
 * }
 */
export class DedupError extends Error {
  private readonly [symbol] = true;
  override readonly name: string = 'DedupError';
  override readonly cause: unknown;
  /** The file at fault, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options: DedupErrorOptions = {}) {
    super(message);
    this.cause = options.cause;
    this.file = options.file;
  }

  /** True when `error` is a `DedupError` from any copy of this package. */
  static isInstance(error: unknown): error is DedupError {
    return error != null && typeof error === 'object' && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
