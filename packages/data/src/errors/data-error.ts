import { DcganError, instanceCheck } from '@dcgan/common';

/**
 * Base error of @dcgan/data. Every error this package throws is a `DataError` whose message names the file
 * (or item) and what is wrong with it. `DataError.isInstance(error)` also recognises errors thrown by another
 * copy of this package (a second version in node_modules), where `instanceof` would fail.
 *
 * @example
 * try { await openCifar10Batches(['data_batch_1.bin']); } catch (error) { if (DataError.isInstance(error)) console.error(error.message); }
 */
export class DataError extends DcganError {
  /** True when `error` is a `DataError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override readonly isInstance = instanceCheck<DataError>('dcgan.error.data');
  override readonly name: string = 'DataError';
}
