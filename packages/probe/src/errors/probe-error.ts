const marker = 'dcgan.probe.error';
const symbol = Symbol.for(marker);

/** Options of {@link ProbeError}. */
export interface ProbeErrorOptions {
  /** The error that made this one happen, when there is one. */
  readonly cause?: unknown;
  /** The file the problem was found in, when there is one. */
  readonly file?: string;
}

/**
 * Base class of every error that `@dcgan/probe` throws. Messages name the input (option, file, row) and
 * what is wrong with it.
 *
 * Use {@link ProbeError.isInstance} rather than `instanceof`: it also recognises errors thrown by another
 * installed copy of this package.
 *
 * @example
 * ```ts
 * try {
 *   trainLinearSvm(features, labels, { cost: -1 });
 * } catch (error) {
 *   if (ProbeError.isInstance(error)) console.error(error.message); // Expected `cost` to be a positive number, got `-1`
 * }
 * ```
 */
export class ProbeError extends Error {
  private readonly [symbol] = true;
  override readonly name: string = 'ProbeError';
  override readonly cause: unknown;
  /** The file the problem was found in, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options: ProbeErrorOptions = {}) {
    super(message);
    this.cause = options.cause;
    this.file = options.file;
  }

  /** True when `error` is a `ProbeError` from any copy of this package. */
  static isInstance(error: unknown): error is ProbeError {
    return error != null && typeof error === 'object' && (error as Record<symbol, unknown>)[symbol] === true;
  }
}

/** Describes a value for an error message: strings quoted, objects as JSON where possible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null || typeof value === 'bigint') return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? '?'})`;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
