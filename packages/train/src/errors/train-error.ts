import { DcganError } from '@dcgan/common';
const marker = 'dcgan.error.train';
const symbol = Symbol.for(marker);

/**
 * Base error of @dcgan/train. Its message names the file and what is wrong with it. `TrainError.isInstance(error)`
 * also recognises errors thrown by another copy of this package (a second version in node_modules), where
 * `instanceof` would fail.
 *
 * @example
 * try { await writeCurves('runs/mnist'); } catch (error) { if (TrainError.isInstance(error)) console.error(error.message); }
 */
export class TrainError extends DcganError {
  private readonly [symbol] = true;
  override readonly name: string = 'TrainError';

  /** True when `error` is a `TrainError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override isInstance(error: unknown): error is TrainError {
    return DcganError.hasMarker(error, marker);
  }
}
