const marker = 'dcgan.error';
const symbol = Symbol.for(marker);

/** Options shared by every `@dcgan` error. */
export interface DcganErrorOptions {
  /** The error that made this one happen, when there is one. */
  readonly cause?: unknown;
  /** The file the problem was found in (or could not be written), when there is one. */
  readonly file?: string;
}

/**
 * Base class of every error the `@dcgan` packages throw (`DataError`, `TrainError`, `CheckpointError`, ...).
 * Each family adds its own marker under `dcgan.error.<family>` and its own `isInstance`; this one
 * recognises them all, so an app tells "a problem a user can fix" from a bug with one test.
 *
 * Use {@link DcganError.isInstance} rather than `instanceof`: a registry symbol (`Symbol.for`) marks the
 * error, so it still works when two copies of a package are installed.
 *
 * @example
 * ```ts
 * try {
 *   await train(options);
 * } catch (error) {
 *   if (DcganError.isInstance(error)) console.error(error.message); // names the file and what is wrong
 *   else throw error;
 * }
 * ```
 */
export class DcganError extends Error {
  private readonly [symbol] = true;
  override readonly name: string = 'DcganError';
  override readonly cause: unknown;
  /** The file the problem was found in, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options: DcganErrorOptions = {}) {
    super(message);
    this.cause = options.cause;
    this.file = options.file;
  }

  /** True when `error` is a `DcganError` of any family, from any copy of any `@dcgan` package. */
  static isInstance(error: unknown): error is DcganError {
    return DcganError.hasMarker(error, marker);
  }

  /**
   * True when `error` carries the registry-symbol marker `markerName` (what a family's `isInstance` checks).
   *
   * @example
   * static override isInstance(error: unknown): error is DataError { return DcganError.hasMarker(error, 'dcgan.error.data'); }
   */
  protected static hasMarker(error: unknown, markerName: string): boolean {
    return error != null && typeof error === 'object' && (error as Record<symbol, unknown>)[Symbol.for(markerName)] === true;
  }
}
