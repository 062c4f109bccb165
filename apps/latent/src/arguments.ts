import { parseArgs } from 'node:util';

import { backendPreferenceList, isBackendPreference, type BackendPreference } from '@dcgan/backend';

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const commands = ['walk', 'arithmetic', 'turn', 'forget', 'visualize'] as const;
export type CommandName = (typeof commands)[number];

export type WalkMethods = 'linear' | 'spherical' | 'both';

/** Options shared by every command. */
export interface CommonArguments {
  readonly checkpoint: string;
  readonly seed: number;
  /** Output folder; null: `<run folder>/latent`. */
  readonly out: string | null;
  readonly backend: BackendPreference;
  /** Pixel zoom of written grids; null: 2 for images up to 32px, else 1. */
  readonly zoom: number | null;
}

export type LatentArguments =
  | { readonly command: 'help' }
  | (CommonArguments & { readonly command: 'walk'; readonly rows: number; readonly points: number; readonly steps: number; readonly method: WalkMethods })
  | (CommonArguments & {
      readonly command: 'arithmetic';
      readonly count: number;
      readonly a: readonly number[] | null;
      readonly b: readonly number[] | null;
      readonly c: readonly number[] | null;
      readonly neighbours: number;
      readonly noise: number;
    })
  | (CommonArguments & {
      readonly command: 'turn';
      readonly count: number;
      readonly from: readonly number[] | null;
      readonly to: readonly number[] | null;
      readonly rows: number;
      readonly steps: number;
      readonly range: readonly [number, number];
    })
  | (CommonArguments & {
      readonly command: 'forget';
      readonly count: number;
      readonly boxes: string | null;
      readonly render: number;
      readonly negatives: number;
      readonly l2: number;
    })
  | (CommonArguments & {
      readonly command: 'visualize';
      readonly images: 'generated' | 'mnist';
      readonly count: number;
      readonly features: number;
      readonly perFeature: number;
    });

export const helpText = `dcgan-latent: section 6 of the DCGAN paper on a trained model, written as PNG grids.

Usage:
  dcgan-latent <command> --checkpoint <path> [options]

  --checkpoint is a dcgan-train run folder, its checkpoint/ folder, or (walk, arithmetic, turn, forget
  only) a folder with an exported generator (model.json + weights.bin).

Commands:
  walk         figure 4: rows of interpolations between random points in Z
                 --rows <n> (6)  --points <k> (2)  --steps <n> per segment (10)
                 --method linear|spherical|both (both)
  arithmetic   figure 7: A - B + C on the averaged z of picked samples, with 8 noisy neighbours and
               the same arithmetic in pixel space. Without --a/--b/--c it writes the numbered sheet to
               pick from.  --count <n> (64)  --a i,j,k  --b i,j,k  --c i,j,k  --neighbours <n> (8)
                 --noise <scale> (0.25)
  turn         figure 8: a "turn" vector mean(to) - mean(from), random samples moved along it.
               Without --from/--to it writes the numbered sheet.  --count <n> (64)  --from i,j,..
                 --to i,j,..  --rows <n> (6)  --steps <n> (10)  --range=<first,last> (-0.5,0.5; the = is
                 needed when first is negative: --range=-1,1)
  forget       section 6.3.1: fit a logistic regression on boxes drawn on samples, drop the feature
               maps with positive weight, render samples with and without them. Without --boxes it
               writes the numbered sheet and a boxes template. Boxes with "negative": true mark what is
               not the object (their positions become negatives too; --negatives 0 uses them alone).
                 --count <n> (64)  --boxes <file.json>  --render <n> fresh samples (16)
                 --negatives <random negatives per positive> (1)  --l2 <penalty> (1)
  visualize    figure 5: guided backpropagation of the top features of D's last conv layer, next to
               the same for a randomly initialised D (needs a training checkpoint, not a bare generator)
                 --images generated|mnist (generated)  --count <n> images searched (256)
                 --features <n> (6)  --per-feature <n> (8)

Options:
  --seed <n>       seed of the samples, waypoints and noise (default 1)
  --out <dir>      output folder (default <run folder>/latent)
  --zoom <n>       pixel zoom of the PNGs (default 2 for images up to 32px, else 1)
  --backend <name> ${backendPreferenceList} (default auto)
  -h, --help       this text
`;

function integer(name: string, value: string | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < minimum) {
    throw new UsageError(`Expected \`${name}\` to be an integer >= ${minimum}, got \`${value}\``);
  }
  return number;
}

function decimal(name: string, value: string | undefined, fallback: number, minimum: number, exclusive = false): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < minimum || (exclusive && number === minimum)) {
    throw new UsageError(`Expected \`${name}\` to be a number ${exclusive ? '>' : '>='} ${minimum}, got \`${value}\``);
  }
  return number;
}

/** `3,17,40` -> [3, 17, 40], each in 0..count-1. */
function indexList(name: string, value: string | undefined, count: number): number[] | null {
  if (value === undefined) return null;
  const parts = value.split(',').map((part) => part.trim());
  const indices = parts.map((part) => Number(part));
  if (parts.length === 0 || parts.some((part, index) => !/^\d+$/.test(part) || indices[index]! >= count)) {
    throw new UsageError(`Expected \`${name}\` to be comma-separated sample numbers in 0..${count - 1} (from the sample sheet), got \`${value}\``);
  }
  return indices;
}

/** Parses `dcgan-latent <command> [options]`; throws {@link UsageError} naming the bad option. */
export function parseLatentArguments(argv: readonly string[]): LatentArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        checkpoint: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        backend: { type: 'string' },
        zoom: { type: 'string' },
        rows: { type: 'string' },
        points: { type: 'string' },
        steps: { type: 'string' },
        method: { type: 'string' },
        count: { type: 'string' },
        a: { type: 'string' },
        b: { type: 'string' },
        c: { type: 'string' },
        neighbours: { type: 'string' },
        noise: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        range: { type: 'string' },
        boxes: { type: 'string' },
        render: { type: 'string' },
        negatives: { type: 'string' },
        l2: { type: 'string' },
        images: { type: 'string' },
        features: { type: 'string' },
        'per-feature': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; see --help`);
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals.length === 0) return { command: 'help' };
  const [command, ...extra] = positionals;
  if (!(commands as readonly string[]).includes(command!)) {
    throw new UsageError(`Unknown command \`${command}\`; expected one of ${commands.join(', ')}`);
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument \`${extra[0]}\`; see --help`);
  const allowed: Record<CommandName, readonly string[]> = {
    walk: ['rows', 'points', 'steps', 'method'],
    arithmetic: ['count', 'a', 'b', 'c', 'neighbours', 'noise'],
    turn: ['count', 'from', 'to', 'rows', 'steps', 'range'],
    forget: ['count', 'boxes', 'render', 'negatives', 'l2'],
    visualize: ['images', 'count', 'features', 'per-feature'],
  };
  const common = new Set(['checkpoint', 'seed', 'out', 'backend', 'zoom', 'help']);
  for (const key of Object.keys(values)) {
    if (!common.has(key) && !allowed[command as CommandName].includes(key)) {
      throw new UsageError(`Option \`--${key}\` does not apply to \`${command}\`; see --help`);
    }
  }
  if (values.checkpoint === undefined) throw new UsageError('Expected `--checkpoint <path>` (a dcgan-train run folder or checkpoint); see --help');
  const backend = values.backend ?? 'auto';
  if (!isBackendPreference(backend)) throw new UsageError(`Expected \`--backend\` to be one of ${backendPreferenceList}, got \`${backend}\``);
  const base: CommonArguments = {
    checkpoint: values.checkpoint,
    seed: integer('--seed', values.seed, 1, 0),
    out: values.out ?? null,
    backend,
    zoom: values.zoom === undefined ? null : integer('--zoom', values.zoom, 1, 1),
  };
  const count = integer('--count', values.count, command === 'visualize' ? 256 : 64, 1);
  switch (command as CommandName) {
    case 'walk': {
      const method = values.method ?? 'both';
      if (method !== 'linear' && method !== 'spherical' && method !== 'both') {
        throw new UsageError(`Expected \`--method\` to be linear, spherical or both, got \`${method}\``);
      }
      return {
        ...base,
        command: 'walk',
        rows: integer('--rows', values.rows, 6, 1),
        points: integer('--points', values.points, 2, 2),
        steps: integer('--steps', values.steps, 10, 2),
        method,
      };
    }
    case 'arithmetic': {
      const picks = [indexList('--a', values.a, count), indexList('--b', values.b, count), indexList('--c', values.c, count)] as const;
      if (picks.some((pick) => pick === null) && picks.some((pick) => pick !== null)) {
        throw new UsageError('Expected all of `--a`, `--b` and `--c` (or none, to get the sample sheet to pick from)');
      }
      return {
        ...base,
        command: 'arithmetic',
        count,
        a: picks[0],
        b: picks[1],
        c: picks[2],
        neighbours: integer('--neighbours', values.neighbours, 8, 0),
        noise: decimal('--noise', values.noise, 0.25, 0),
      };
    }
    case 'turn': {
      const from = indexList('--from', values.from, count);
      const to = indexList('--to', values.to, count);
      if ((from === null) !== (to === null)) throw new UsageError('Expected both `--from` and `--to` (or neither, to get the sample sheet to pick from)');
      const rangeText = values.range ?? '-0.5,0.5';
      const range = rangeText.split(',').map((part) => Number(part.trim()));
      if (range.length !== 2 || rangeText.split(',').some((part) => part.trim() === '') || !range.every(Number.isFinite)) {
        throw new UsageError(`Expected \`--range\` to be two numbers <first,last>, got \`${rangeText}\``);
      }
      return {
        ...base,
        command: 'turn',
        count,
        from,
        to,
        rows: integer('--rows', values.rows, 6, 1),
        steps: integer('--steps', values.steps, 10, 2),
        range: [range[0]!, range[1]!],
      };
    }
    case 'forget':
      return {
        ...base,
        command: 'forget',
        count,
        boxes: values.boxes ?? null,
        render: integer('--render', values.render, 16, 1),
        negatives: decimal('--negatives', values.negatives, 1, 0),
        l2: decimal('--l2', values.l2, 1, 0, true),
      };
    case 'visualize': {
      const images = values.images ?? 'generated';
      if (images !== 'generated' && images !== 'mnist') throw new UsageError(`Expected \`--images\` to be generated or mnist, got \`${images}\``);
      return {
        ...base,
        command: 'visualize',
        images,
        count,
        features: integer('--features', values.features, 6, 1),
        perFeature: integer('--per-feature', values['per-feature'], 8, 1),
      };
    }
  }
}
