/**
 * The command-line parsing every CLI shares: node:util's parseArgs with one-line errors, and the readers of
 * integer, number and choice options. Every mistake is a {@link UsageError} that names the flag and the value.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { UsageError } from './usage-error';

/**
 * `parseArgs` (strict) whose mistakes (an unknown option, a missing value, a stray argument) are one-line
 * {@link UsageError}s ending in `(see --help)`.
 *
 * @example const { values, positionals } = parseOptions(argv, { out: { type: 'string' } }, { positionals: true });
 */
export function parseOptions<const Options extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: Options,
  settings: { readonly positionals?: boolean } = {},
): ReturnType<typeof parseArgs<{ args: string[]; options: Options; strict: true; allowPositionals: boolean }>> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: settings.positionals === true });
  } catch (error) {
    // Node's text goes on about `--` after the first sentence ("Unknown option '--x'. To specify ...").
    const first = (error as Error).message.split('\n')[0]!.split('. ')[0]!;
    throw new UsageError(`${first} (see --help)`, { cause: error });
  }
}

/** The allowed values of a number option. */
export interface NumberRange {
  /** @default -Infinity */
  readonly minimum?: number;
  /** @default Infinity */
  readonly maximum?: number;
  /** `minimum` itself is refused. @default false */
  readonly exclusiveMinimum?: boolean;
}

/**
 * Reads an integer option (digits only: `1e3`, `0x10` and `2.5` are refused); `fallback` when absent.
 *
 * @example integerOption('--epochs', values.epochs, 20, { minimum: 1 }) // UsageError "Expected `--epochs` to be an integer >= 1, got `0`"
 */
export function integerOption<Fallback extends number | null | undefined>(
  flag: string,
  raw: string | undefined,
  fallback: Fallback,
  range: NumberRange = {},
): number | Fallback {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^[-+]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || !inRange(value, range)) {
    throw new UsageError(`Expected \`${flag}\` to be ${describeRange('an integer', range)}, got \`${raw}\``);
  }
  return value;
}

/**
 * Reads a finite number option; `fallback` when absent.
 *
 * @example numberOption('--noise', values.noise, 0.1, { minimum: 0, maximum: 10 }) // "Expected `--noise` to be a number in [0, 10], got `-1`"
 */
export function numberOption<Fallback extends number | null | undefined>(
  flag: string,
  raw: string | undefined,
  fallback: Fallback,
  range: NumberRange = {},
): number | Fallback {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !inRange(value, range)) {
    throw new UsageError(`Expected \`${flag}\` to be ${describeRange('a number', range)}, got \`${raw}\``);
  }
  return value;
}

/**
 * Reads an option that takes one of `choices`; `fallback` when absent.
 *
 * @example choiceOption('--method', values.method, ['linear', 'spherical', 'both'], 'both')
 */
export function choiceOption<const Choice extends string, Fallback extends Choice | undefined = Choice>(
  flag: string,
  raw: string | undefined,
  choices: readonly Choice[],
  fallback: Fallback,
): Choice | Fallback {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw))
    throw new UsageError(`Expected \`${flag}\` to be one of ${choices.join(', ')}, got \`${raw}\``);
  return raw as Choice;
}

function inRange(
  value: number,
  { minimum = Number.NEGATIVE_INFINITY, maximum = Number.POSITIVE_INFINITY, exclusiveMinimum = false }: NumberRange,
): boolean {
  return value >= minimum && value <= maximum && !(exclusiveMinimum && value === minimum);
}

function describeRange(
  kind: string,
  { minimum = Number.NEGATIVE_INFINITY, maximum = Number.POSITIVE_INFINITY, exclusiveMinimum = false }: NumberRange,
): string {
  const low = Number.isFinite(minimum);
  const high = Number.isFinite(maximum);
  if (low && high) return `${kind} in ${exclusiveMinimum ? '(' : '['}${minimum}, ${maximum}]`;
  if (low) return `${kind} ${exclusiveMinimum ? '>' : '>='} ${minimum}`;
  if (high) return `${kind} <= ${maximum}`;
  return kind;
}
