const marker = Symbol.for('@dcgan/faces.error');

/**
 * Base error of @dcgan/faces. Its message names the file (or option) and what is wrong with it.
 * `FacesError.isInstance(error)` also recognises errors thrown by another copy of this package, where
 * `instanceof` would fail.
 *
 * @example
 * try { await buildFaceDataset({ photos: 'photos', outputDirectory: 'faces' }); } catch (error) { if (FacesError.isInstance(error)) console.error(error.message); }
 */
export class FacesError extends Error {
  private readonly [marker] = true;

  /** The file the problem was found in, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options?: { readonly cause?: unknown; readonly file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FacesError';
    this.file = options?.file;
  }

  static isInstance(error: unknown): error is FacesError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
