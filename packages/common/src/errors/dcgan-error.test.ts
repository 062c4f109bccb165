import { describe, expect, it } from 'vitest';

import { DcganError, instanceCheck, type DcganErrorOptions } from './dcgan-error';

/** A family the way every package declares its own (see @dcgan/data's DataError). */
class ExampleError extends DcganError {
  static override readonly isInstance = instanceCheck<ExampleError>('dcgan.error.example');
  override readonly name: string = 'ExampleError';
}

/** A family below a family, with options of its own (as @dcgan/core's CheckpointError). */
class DetailedError extends ExampleError {
  static override readonly isInstance = instanceCheck<DetailedError>('dcgan.error.example.detailed');
  override readonly name: string = 'DetailedError';
  readonly detail: string;

  constructor(message: string, options: DcganErrorOptions & { readonly detail: string }) {
    super(message, options);
    this.detail = options.detail;
  }
}

describe('DcganError', () => {
  it('keeps message, name, cause and file', () => {
    const cause = new Error('EACCES');
    const error = new ExampleError('run.json: cannot write file', { cause, file: 'run.json' });
    expect(error).toBeInstanceOf(Error);
    expect([error.message, error.name, error.cause, error.file]).toEqual([
      'run.json: cannot write file',
      'ExampleError',
      cause,
      'run.json',
    ]);
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
    const detailed = new DetailedError('y', { detail: 'z', file: 'a.bin' });
    expect([
      DcganError.isInstance(detailed),
      ExampleError.isInstance(detailed),
      DetailedError.isInstance(detailed),
    ]).toEqual([true, true, true]);
    expect(DetailedError.isInstance(family)).toBe(false);
    expect([detailed.detail, detailed.file, detailed.name]).toEqual(['z', 'a.bin', 'DetailedError']);
    // Works unbound, as a callback.
    expect([family, base, new Error('z')].filter(ExampleError.isInstance)).toEqual([family]);
    // The markers are not enumerable: an error's own keys stay what they were.
    expect(Object.keys(family).sort()).toEqual(['cause', 'file', 'name']);
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
