import { DcganError } from '@dcgan/common';
const marker = 'dcgan.error.backend';
const symbol = Symbol.for(marker);

/**
 * Base error of @dcgan/backend. `BackendError.isInstance(error)` also recognises errors thrown by another
 * copy of this package (a second version in node_modules), where `instanceof` would fail.
 */
export class BackendError extends DcganError {
  private readonly [symbol] = true;
  override readonly name: string = 'BackendError';

  /** True when `error` is a `BackendError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override isInstance(error: unknown): error is BackendError {
    return DcganError.hasMarker(error, marker);
  }
}
