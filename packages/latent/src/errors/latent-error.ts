import { DcganError, instanceCheck, type DcganErrorOptions } from '@dcgan/common';

/** Options of a {@link LatentError}: the error that caused it and the file at fault, when there are ones. */
export type LatentErrorOptions = DcganErrorOptions;

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
export class LatentError extends DcganError {
  /** True when `error` is a `LatentError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override readonly isInstance = instanceCheck<LatentError>('dcgan.error.latent');
  override readonly name: string = 'LatentError';
}
