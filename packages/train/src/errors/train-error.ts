import { DcganError, instanceCheck } from '@dcgan/common';

/**
 * Base error of @dcgan/train. Its message names the file and what is wrong with it. `TrainError.isInstance(error)`
 * also recognises errors thrown by another copy of this package (a second version in node_modules), where
 * `instanceof` would fail.
 *
 * @example
 * try { await writeCurves('runs/mnist'); } catch (error) { if (TrainError.isInstance(error)) console.error(error.message); }
 */
export class TrainError extends DcganError {
  /** True when `error` is a `TrainError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override readonly isInstance = instanceCheck<TrainError>('dcgan.error.train');
  override readonly name: string = 'TrainError';
}
