import { describe, expect, it } from 'vitest';

import { DcganError, type DcganErrorOptions } from './dcgan-error';

const familyMarker = 'dcgan.error.example';
const familySymbol = Symbol.for(familyMarker);

/** A family the way every package declares its own (see @dcgan/data's DataError). */
class ExampleError extends DcganError {
  private readonly [familySymbol] = true;
  override readonly name: string = 'ExampleError';

  constructor(message: string, options?: DcganErrorOptions) {
    super(message, options);
  }

  static override isInstance(error: unknown): error is ExampleError {
    return DcganError.hasMarker(error, familyMarker);
  }
}

describe('DcganError', () => {
  it('keeps message, name, cause and file', () => {
    const cause = new Error('EACCES');
    const error = new ExampleError('run.json: cannot write file', { cause, file: 'run.json' });
    expect(error).toBeInstanceOf(Error);
    expect([error.message, error.name, error.cause, error.file]).toEqual(['run.json: cannot write file', 'ExampleError', cause, 'run.json']);
    expect(String(error)).toBe('ExampleError: run.json: cannot write file');
    expect(new DcganError('plain').file).toBeUndefined();
  });

  it('recognises every family, and a family only its own errors', () => {
    const family = new ExampleError('x');
    const base = new DcganError('y');
    expect(DcganError.isInstance(family)).toBe(true);
    expect(DcganError.isInstance(base)).toBe(true);
    expect(ExampleError.isInstance(family)).toBe(true);
    expect(ExampleError.isInstance(base)).toBe(false);
    for (const other of [new Error('z'), null, undefined, 'dcgan.error', { name: 'DcganError' }]) {
      expect(DcganError.isInstance(other)).toBe(false);
    }
  });

  it('recognises an error from a second copy of the module, where instanceof fails', async () => {
    // A second evaluation of the same source: another class, as with two installed versions of a package.
    const specifier = './dcgan-error?second-copy';
    const secondCopy = (await import(/* @vite-ignore */ specifier)) as typeof import('./dcgan-error');
    expect(secondCopy.DcganError).not.toBe(DcganError);
    const fromOtherCopy = new secondCopy.DcganError('from a second copy');
    expect(fromOtherCopy instanceof DcganError).toBe(false);
    expect(DcganError.isInstance(fromOtherCopy)).toBe(true);
    expect(secondCopy.DcganError.isInstance(new ExampleError('x'))).toBe(true);
    expect(ExampleError.isInstance(fromOtherCopy)).toBe(false);
  });
});
