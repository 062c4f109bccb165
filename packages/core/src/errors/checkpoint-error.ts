import { DcganError, instanceCheck, type DcganErrorOptions } from '@dcgan/common';

/** Options of a {@link CheckpointError}. */
export interface CheckpointErrorOptions extends DcganErrorOptions {
  /** The file or directory at fault, when the state came from disk. */
  readonly path?: string;
}

/**
 * A checkpoint or trainer state that cannot be used: unreadable, corrupt, or made for another model.
 * The message names the file (when there is one) and what is wrong with it.
 *
 * @example
 * ```ts
 * try {
 *   await loadCheckpoint('runs/bedrooms/checkpoint');
 * } catch (error) {
 *   if (CheckpointError.isInstance(error)) console.error(`${error.path}: ${error.message}`);
 * }
 * ```
 */
export class CheckpointError extends DcganError {
  /** True when `error` is a `CheckpointError` from any copy of this package. */
  static override readonly isInstance = instanceCheck<CheckpointError>('dcgan.error.checkpoint');
  override readonly name: string = 'CheckpointError';
  /** The file or directory at fault, when the state came from disk. */
  readonly path: string | undefined;

  constructor(message: string, options: CheckpointErrorOptions = {}) {
    super(message, options);
    this.path = options.path;
  }
}
