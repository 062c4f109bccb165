import { BackendError } from '@dcgan/backend';
import { DcganError } from '@dcgan/common';
import { DataError } from '@dcgan/data';
import { TrainError } from '@dcgan/train';
import { describe, expect, it } from 'vitest';

import { describeError } from './run-main';
import { UsageError } from './usage-error';

describe('describeError', () => {
  it("prints one line for every package's errors, by the base's marker", () => {
    const errors = [
      new DataError('bedrooms/data.mdb: not an LMDB file', { file: 'bedrooms/data.mdb' }),
      new TrainError('runs/a/run.json: not valid JSON'),
      new BackendError('no backend could start'),
      new UsageError('--steps: expected a positive integer, got `0`'),
    ];
    expect(errors.map(describeError)).toEqual([
      'bedrooms/data.mdb: not an LMDB file',
      'runs/a/run.json: not valid JSON',
      'no backend could start',
      '--steps: expected a positive integer, got `0`',
    ]);
    expect(errors.slice(0, 3).every((error) => DcganError.isInstance(error))).toBe(true);
  });

  it('recognises an error of a second copy of a package (same marker, another class)', () => {
    const fromOtherCopy = Object.assign(new Error('photos/a.jpg: not a JPEG'), { [Symbol.for('dcgan.error')]: true });
    expect(describeError(fromOtherCopy)).toBe('photos/a.jpg: not a JPEG');
  });

  it('prints the stack of a bug', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'shape')");
    expect(describeError(bug)).toBe(bug.stack);
    expect(describeError(bug).split('\n').length).toBeGreaterThan(1);
  });
});
