const marker = 'dcgan.latent.error';
const symbol = Symbol.for(marker);

/** Options of a {@link LatentError}. */
export interface LatentErrorOptions {
  /** The error that made this one happen, when there is one. */
  readonly cause?: unknown;
}

/**
 * Base class of every error that `@dcgan/latent` throws: bad options, tensors of the wrong shape, a
 * model that is not a DCGAN generator or discriminator, a malformed boxes file.
 *
 * Use {@link LatentError.isInstance} rather than `instanceof`: it still works when two copies of the
 * package are installed.
 *
 * @example
 * ```ts
 * try {
 *   interpolate(a, b, { steps: 1 });
 * } catch (error) {
 *   if (LatentError.isInstance(error)) console.error(error.message);
 * }
 * ```
 */
export class LatentError extends Error {
  private readonly [symbol] = true;
  override readonly name: string = 'LatentError';
  override readonly cause: unknown;

  constructor(message: string, options: LatentErrorOptions = {}) {
    super(message);
    this.cause = options.cause;
  }

  /** True when `error` is a `LatentError` from any copy of this package. */
  static isInstance(error: unknown): error is LatentError {
    return error != null && typeof error === 'object' && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
