const marker = 'dcgan.error';
const symbol = Symbol.for(marker);

/** Options shared by every `@dcgan/core` error. */
export interface DcganErrorOptions {
  /** The error that made this one happen, when there is one. */
  readonly cause?: unknown;
}

/**
 * Base class of every error that `@dcgan/core` throws.
 *
 * Use {@link DcganError.isInstance} rather than `instanceof`: it still works when two copies of the
 * package are installed.
 *
 * @example
 * ```ts
 * try {
 *   resolveDcganConfig({ imageSize: 48 });
 * } catch (error) {
 *   if (DcganError.isInstance(error)) console.error(error.message);
 * }
 * ```
 */
export class DcganError extends Error {
  private readonly [symbol] = true;
  override readonly name: string = 'DcganError';
  override readonly cause: unknown;

  constructor(message: string, options: DcganErrorOptions = {}) {
    super(message);
    this.cause = options.cause;
  }

  /** True when `error` is a `DcganError` (or subclass) from any copy of this package. */
  static isInstance(error: unknown): error is DcganError {
    return DcganError.hasMarker(error, marker);
  }

  protected static hasMarker(error: unknown, markerName: string): boolean {
    return (
      error != null &&
      typeof error === 'object' &&
      Symbol.for(markerName) in error &&
      (error as Record<symbol, unknown>)[Symbol.for(markerName)] === true
    );
  }
}
