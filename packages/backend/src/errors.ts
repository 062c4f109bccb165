const marker = Symbol.for('@dcgan/backend.error');

/**
 * Base error of @dcgan/backend. `BackendError.isInstance(error)` also recognises errors thrown by another
 * copy of this package (a second version in node_modules), where `instanceof` would fail.
 */
export class BackendError extends Error {
  private readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendError';
  }

  static isInstance(error: unknown): error is BackendError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
