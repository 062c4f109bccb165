/** Options shared by every `@dcgan` error. */
export interface DcganErrorOptions {
  /** The error that made this one happen, when there is one. */
  readonly cause?: unknown;
  /** The file the problem was found in (or could not be written), when there is one. */
  readonly file?: string;
}

/** The static `isInstance` of an error family, with the marker its errors carry. */
export type InstanceCheck<T> = ((error: unknown) => error is T) & { readonly marker: string };

/**
 * The static `isInstance` of an error family whose errors carry `Symbol.for(marker)`: a registry symbol is the
 * same in every copy of a package, where `instanceof` fails across two installed copies.
 *
 * @example
 * class DataError extends DcganError {
 *   static override readonly isInstance = instanceCheck<DataError>('dcgan.error.data');
 *   override readonly name: string = 'DataError';
 * }
 */
export function instanceCheck<T extends Error>(marker: string): InstanceCheck<T> {
  const symbol = Symbol.for(marker);
  const check = (error: unknown): error is T =>
    error != null && typeof error === 'object' && (error as Record<symbol, unknown>)[symbol] === true;
  return Object.assign(check, { marker });
}

/**
 * Base class of every error the `@dcgan` packages throw (`DataError`, `TrainError`, `CheckpointError`, ...).
 * Each family declares its own marker (`dcgan.error.<family>`) through its static `isInstance`; an error
 * carries the markers of its class and of every family above it, so `DcganError.isInstance` recognises them
 * all and an app tells "a problem a user can fix" from a bug with one test.
 *
 * Use `isInstance` rather than `instanceof`: it still works when two copies of a package are installed.
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
  /** True when `error` is a `DcganError` of any family, from any copy of any `@dcgan` package. */
  static readonly isInstance: InstanceCheck<DcganError> = instanceCheck<DcganError>('dcgan.error');
  override readonly name: string = 'DcganError';
  override readonly cause: unknown;
  /** The file the problem was found in, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options: DcganErrorOptions = {}) {
    super(message);
    this.cause = options.cause;
    this.file = options.file;
    // The marker of the error's own class and of each family above it, as registry symbols.
    for (
      let family: unknown = new.target;
      family !== Error && typeof family === 'function';
      family = Object.getPrototypeOf(family)
    ) {
      if (Object.hasOwn(family, 'isInstance')) {
        Object.defineProperty(this, Symbol.for((family as typeof DcganError).isInstance.marker), { value: true });
      }
    }
  }
}
