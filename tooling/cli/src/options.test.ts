import { describe, expect, it } from 'vitest';

import { choiceOption, integerOption, numberOption, parseOptions } from './options';
import { UsageError } from './usage-error';

describe('option readers', () => {
  it('reads integers, digits only, within the range', () => {
    expect(integerOption('--epochs', undefined, 5, { minimum: 1 })).toBe(5);
    expect(integerOption('--steps', undefined, undefined)).toBeUndefined();
    expect(integerOption('--epochs', ' 3 ', 5, { minimum: 1 })).toBe(3);
    expect(integerOption('--seed', '-2', 0)).toBe(-2);
    expect(() => integerOption('--epochs', '0', 5, { minimum: 1 })).toThrow(
      'Expected `--epochs` to be an integer >= 1, got `0`',
    );
    expect(() => integerOption('--zoom', '33', 1, { minimum: 1, maximum: 32 })).toThrow(
      'Expected `--zoom` to be an integer in [1, 32], got `33`',
    );
    for (const bad of ['2.5', '1e3', '0x10', '', 'ten', '9007199254740993']) {
      expect(() => integerOption('--count', bad, 1)).toThrow(UsageError);
    }
  });

  it('reads finite numbers within the range, open at the bottom when asked', () => {
    expect(numberOption('--noise', '0.25', 0.1, { minimum: 0, maximum: 10 })).toBe(0.25);
    expect(numberOption('--noise', undefined, 0.1)).toBe(0.1);
    expect(() => numberOption('--noise', '-1', 0.1, { minimum: 0, maximum: 10 })).toThrow(
      'Expected `--noise` to be a number in [0, 10], got `-1`',
    );
    expect(() => numberOption('--l2', '0', 1, { minimum: 0, maximum: 5, exclusiveMinimum: true })).toThrow(
      'Expected `--l2` to be a number in (0, 5], got `0`',
    );
    expect(() => numberOption('--rate', '0', 1, { minimum: 0, exclusiveMinimum: true })).toThrow(
      'Expected `--rate` to be a number > 0, got `0`',
    );
    expect(() => numberOption('--size', ' ', 1)).toThrow('Expected `--size` to be a number, got ` `');
    expect(() => numberOption('--size', 'Infinity', 1)).toThrow(UsageError);
  });

  it('reads a choice', () => {
    expect(choiceOption('--method', 'linear', ['linear', 'spherical'], 'spherical')).toBe('linear');
    expect(choiceOption('--method', undefined, ['linear', 'spherical'], 'spherical')).toBe('spherical');
    expect(() => choiceOption('--method', 'cubic', ['linear', 'spherical'], undefined)).toThrow(
      'Expected `--method` to be one of linear, spherical, got `cubic`',
    );
  });

  it("turns parseArgs' mistakes into one-line UsageErrors", () => {
    expect(parseOptions(['run', '--out', 'x'], { out: { type: 'string' } }, { positionals: true })).toMatchObject({
      values: { out: 'x' },
      positionals: ['run'],
    });
    const mistake = (argv: string[]) => {
      try {
        parseOptions(argv, { out: { type: 'string' } });
      } catch (error) {
        expect(UsageError.isInstance(error)).toBe(true);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(mistake(['--bogus'])).toBe("Unknown option '--bogus' (see --help)");
    expect(mistake(['--out'])).toMatch(/^Option '--out <value>' argument missing \(see --help\)$/);
    expect(mistake(['stray'])).toMatch(/^Unexpected argument 'stray'/);
  });
});
