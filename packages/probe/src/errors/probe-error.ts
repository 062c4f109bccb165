import { DcganError, instanceCheck, type DcganErrorOptions } from '@dcgan/common';

/** Options of a {@link ProbeError}: the error that caused it and the file at fault, when there are ones. */
export type ProbeErrorOptions = DcganErrorOptions;

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
export class ProbeError extends DcganError {
  /** True when `error` is a `ProbeError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override readonly isInstance = instanceCheck<ProbeError>('dcgan.error.probe');
  override readonly name: string = 'ProbeError';
}

/** Describes a value for an error message: strings quoted, objects as JSON where possible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null || typeof value === 'bigint')
    return String(value);
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? '?'})`;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
