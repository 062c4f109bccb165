import { DcganError, instanceCheck } from '@dcgan/common';

/**
 * Base error of @dcgan/faces. Its message names the file (or option) and what is wrong with it.
 * `FacesError.isInstance(error)` also recognises errors thrown by another copy of this package, where
 * `instanceof` would fail.
 *
 * @example
 * try { await buildFaceDataset({ photos: 'photos', outputDirectory: 'faces' }); } catch (error) { if (FacesError.isInstance(error)) console.error(error.message); }
 */
export class FacesError extends DcganError {
  /** True when `error` is a `FacesError` from any copy of this package (`DcganError.isInstance` recognises it too). */
  static override readonly isInstance = instanceCheck<FacesError>('dcgan.error.faces');
  override readonly name: string = 'FacesError';
}
