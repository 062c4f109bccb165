import { DcganError, instanceCheck } from '@dcgan/common';

/**
 * Base error of @dcgan/backend. `BackendError.isInstance(error)` also recognises errors thrown by another
 * copy of this package (a second version in node_modules), where `instanceof` would fail.
 */
export class BackendError extends DcganError {
  /** True when `error` is a `BackendError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override readonly isInstance = instanceCheck<BackendError>('dcgan.error.backend');
  override readonly name: string = 'BackendError';
}
