const marker = Symbol.for('@dcgan/train-app.UsageError');

/**
 * A mistake on the command line or in the size of the data: the CLIs print it as one line and exit with
 * code 2. `isInstance` also recognises one thrown by another copy of this module (each tsup entry bundles
 * its own).
 */
export class UsageError extends Error {
  private readonly [marker] = true;

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }

  static isInstance(value: unknown): value is UsageError {
    return value instanceof Error && (value as Partial<Record<typeof marker, boolean>>)[marker] === true;
  }
}
