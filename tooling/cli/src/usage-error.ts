const marker = Symbol.for('@dcgan/cli.UsageError');

/**
 * A mistake on the command line: the CLIs print it as one line and exit with code 2. `isInstance` also
 * recognises one thrown by another copy of this module.
 */
export class UsageError extends Error {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through the symbol by isInstance, across copies.
  private readonly [marker] = true;

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }

  static isInstance(value: unknown): value is UsageError {
    return value instanceof Error && (value as Partial<Record<typeof marker, boolean>>)[marker] === true;
  }
}
