import { DcganError, instanceCheck, type DcganErrorOptions } from '@dcgan/common';

/** Options of a {@link DedupError}: the error that caused it and the file at fault, when there are ones. */
export type DedupErrorOptions = DcganErrorOptions;

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
export class DedupError extends DcganError {
  /** True when `error` is a `DedupError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override readonly isInstance = instanceCheck<DedupError>('dcgan.error.dedup');
  override readonly name: string = 'DedupError';
}
