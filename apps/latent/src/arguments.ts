import { backendPreferenceList, type BackendPreference } from '@dcgan/backend';
import {
  backendOption,
  choiceOption,
  integerOption,
  numberOption,
  parseOptions,
  standardOptionsHelp,
  UsageError,
} from '@dcgan/cli';

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
  | (CommonArguments & {
      readonly command: 'walk';
      readonly rows: number;
      readonly points: number;
      readonly steps: number;
      readonly method: WalkMethods;
    })
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
      readonly layer: string;
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
                 --rows <n> (6)  --points <k> (9, as figure 4)  --steps <n> per segment (10)
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
                 --layer <g_relu{i}> (g_relu2: the paper's "second highest convolution layer", the
                 block after the projection, 8x8x512 in figure 1; g_relu1 is nearest z)
  visualize    figure 5: guided backpropagation of the top features of D's last conv layer, next to
               the same for a randomly initialised D (needs a training checkpoint, not a bare generator)
                 --images generated|mnist (generated)  --count <n> images searched (256)
                 --features <n> (6)  --per-feature <n> (8)

Options:
  --seed <n>       seed of the samples, waypoints and noise (default 1)
  --out <dir>      output folder (default <run folder>/latent)
  --zoom <n>       pixel zoom of the PNGs (default 2 for images up to 32px, else 1; at most 32)
  --backend <name> ${backendPreferenceList} (default auto)
${standardOptionsHelp(19)}
Limits: a figure holds at most 10,000 images and a PNG at most 256 megapixels; rows, points, steps,
features and images per feature are at most 1,000, sample counts at most 10,000.
`;

/** `--layer`: a generator ReLU layer name (the generator itself says which exist). */
function generatorLayer(value: string | undefined): string {
  if (value === undefined) return 'g_relu2';
  if (!/^g_relu\d+$/.test(value))
    throw new UsageError(`Expected \`--layer\` to be a generator layer g_relu1, g_relu2, ..., got \`${value}\``);
  return value;
}

/**
 * Upper bounds: far above the paper's figures, low enough that a typo (`--zoom 100000`, `--rows 200000`) is one
 * line at once instead of minutes of silent work and gigabytes of memory.
 */
export const limits = {
  zoom: 32,
  /** Rows, points, steps of walks and turns; features and images per feature. */
  layout: 1000,
  /** Samples, neighbours, fresh renders. */
  samples: 10_000,
  /** Images in one figure. */
  images: 10_000,
  /** Pixels of one written grid (sharp's PNG limit is 268 million). */
  gridPixels: 256_000_000,
  /** --noise, --negatives, and the ends of --range. */
  scale: 1000,
  l2: 1_000_000_000,
} as const;

/** `3,17,40` -> [3, 17, 40], each in 0..count-1. */
function indexList(name: string, value: string | undefined, count: number): number[] | null {
  if (value === undefined) return null;
  const parts = value.split(',').map((part) => part.trim());
  const indices = parts.map((part) => Number(part));
  if (parts.length === 0 || parts.some((part, index) => !/^\d+$/.test(part) || indices[index]! >= count)) {
    throw new UsageError(
      `Expected \`${name}\` to be comma-separated sample numbers in 0..${count - 1} (from the sample sheet), got \`${value}\``,
    );
  }
  return indices;
}

/** Parses `dcgan-latent <command> [options]`; throws {@link UsageError} naming the bad option. */
export function parseLatentArguments(argv: readonly string[]): LatentArguments {
  const { values, positionals } = parseOptions(
    argv,
    {
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
      layer: { type: 'string' },
      images: { type: 'string' },
      features: { type: 'string' },
      'per-feature': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    { positionals: true },
  );
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
    forget: ['count', 'boxes', 'render', 'negatives', 'l2', 'layer'],
    visualize: ['images', 'count', 'features', 'per-feature'],
  };
  const common = new Set(['checkpoint', 'seed', 'out', 'backend', 'zoom', 'help']);
  for (const key of Object.keys(values)) {
    if (!common.has(key) && !allowed[command as CommandName].includes(key)) {
      throw new UsageError(`Option \`--${key}\` does not apply to \`${command}\`; see --help`);
    }
  }
  if (values.checkpoint === undefined)
    throw new UsageError('Expected `--checkpoint <path>` (a dcgan-train run folder or checkpoint); see --help');
  const backend = backendOption(values.backend);
  const base: CommonArguments = {
    checkpoint: values.checkpoint,
    seed: integerOption('--seed', values.seed, 1, { minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    out: values.out ?? null,
    backend,
    zoom: integerOption('--zoom', values.zoom, null, { minimum: 1, maximum: limits.zoom }),
  };
  const count = integerOption('--count', values.count, command === 'visualize' ? 256 : 64, {
    minimum: 1,
    maximum: limits.samples,
  });
  const parsedArguments = parseCommand(command as CommandName, values, base, count);
  checkImageCount(parsedArguments);
  return parsedArguments;
}

function parseCommand(
  command: CommandName,
  values: Record<string, string | boolean | undefined>,
  base: CommonArguments,
  count: number,
): Exclude<LatentArguments, { command: 'help' }> {
  const text = (key: string): string | undefined => values[key] as string | undefined;
  switch (command) {
    case 'walk': {
      const method = choiceOption('--method', text('method'), ['linear', 'spherical', 'both'], 'both');
      return {
        ...base,
        command: 'walk',
        rows: integerOption('--rows', text('rows'), 6, { minimum: 1, maximum: limits.layout }),
        points: integerOption('--points', text('points'), 9, { minimum: 2, maximum: limits.layout }),
        steps: integerOption('--steps', text('steps'), 10, { minimum: 2, maximum: limits.layout }),
        method,
      };
    }
    case 'arithmetic': {
      const picks = [
        indexList('--a', text('a'), count),
        indexList('--b', text('b'), count),
        indexList('--c', text('c'), count),
      ] as const;
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
        neighbours: integerOption('--neighbours', text('neighbours'), 8, { minimum: 0, maximum: limits.samples }),
        noise: numberOption('--noise', text('noise'), 0.25, { minimum: 0, maximum: limits.scale }),
      };
    }
    case 'turn': {
      const from = indexList('--from', text('from'), count);
      const to = indexList('--to', text('to'), count);
      if ((from === null) !== (to === null))
        throw new UsageError('Expected both `--from` and `--to` (or neither, to get the sample sheet to pick from)');
      const rangeText = text('range') ?? '-0.5,0.5';
      const range = rangeText.split(',').map((part) => Number(part.trim()));
      if (
        range.length !== 2 ||
        rangeText.split(',').some((part) => part.trim() === '') ||
        !range.every(Number.isFinite)
      ) {
        throw new UsageError(`Expected \`--range\` to be two numbers <first,last>, got \`${rangeText}\``);
      }
      if (!range.every((end) => Math.abs(end) <= limits.scale)) {
        throw new UsageError(
          `Expected \`--range\` to be two numbers in [-${limits.scale}, ${limits.scale}] <first,last>, got \`${rangeText}\``,
        );
      }
      return {
        ...base,
        command: 'turn',
        count,
        from,
        to,
        rows: integerOption('--rows', text('rows'), 6, { minimum: 1, maximum: limits.layout }),
        steps: integerOption('--steps', text('steps'), 10, { minimum: 2, maximum: limits.layout }),
        range: [range[0]!, range[1]!],
      };
    }
    case 'forget':
      return {
        ...base,
        command: 'forget',
        count,
        boxes: text('boxes') ?? null,
        render: integerOption('--render', text('render'), 16, { minimum: 1, maximum: limits.samples }),
        negatives: numberOption('--negatives', text('negatives'), 1, { minimum: 0, maximum: limits.scale }),
        l2: numberOption('--l2', text('l2'), 1, { minimum: 0, maximum: limits.l2, exclusiveMinimum: true }),
        layer: generatorLayer(text('layer')),
      };
    case 'visualize': {
      const images = choiceOption('--images', text('images'), ['generated', 'mnist'], 'generated');
      return {
        ...base,
        command: 'visualize',
        images,
        count,
        features: integerOption('--features', text('features'), 6, { minimum: 1, maximum: limits.layout }),
        perFeature: integerOption('--per-feature', text('per-feature'), 8, { minimum: 1, maximum: limits.layout }),
      };
    }
  }
}

/** A grid of images one command writes, as rows x columns of tiles. */
export interface PlannedGrid {
  readonly rows: number;
  readonly columns: number;
}

const sheet = (count: number): PlannedGrid => {
  const columns = Math.ceil(Math.sqrt(count));
  return { rows: Math.ceil(count / columns), columns };
};

/** The grids a command will write (their tile layout, the image size aside), from its arguments alone. */
export function plannedGrids(args: Exclude<LatentArguments, { command: 'help' }>): PlannedGrid[] {
  switch (args.command) {
    case 'walk':
      return [{ rows: args.rows, columns: (args.points - 1) * (args.steps - 1) + 1 }];
    case 'arithmetic': {
      if (args.a === null || args.b === null || args.c === null) return [sheet(args.count)];
      const resultColumns = Math.ceil(Math.sqrt(args.neighbours + 1));
      const rows =
        Math.max(args.a.length, args.b.length, args.c.length, Math.ceil((args.neighbours + 1) / resultColumns)) + 1;
      return [{ rows, columns: 3 + resultColumns }];
    }
    case 'turn':
      return args.from === null ? [sheet(args.count)] : [{ rows: args.rows, columns: args.steps }];
    case 'forget': {
      if (args.boxes === null) return [sheet(args.count)];
      const freshColumns = Math.min(8, args.render);
      return [
        { rows: 2 * Math.ceil(args.count / 8), columns: Math.min(8, args.count) },
        { rows: 2 * Math.ceil(args.render / freshColumns), columns: freshColumns },
      ];
    }
    case 'visualize':
      // Random D's grid and the trained D's side by side.
      return [{ rows: args.features, columns: 2 * args.perFeature }];
  }
}

function checkImageCount(args: Exclude<LatentArguments, { command: 'help' }>): void {
  const flags: Record<CommandName, string> = {
    walk: '--rows, --points or --steps',
    arithmetic: '--neighbours',
    turn: '--rows or --steps',
    forget: '--count or --render',
    visualize: '--features or --per-feature',
  };
  for (const { rows, columns } of plannedGrids(args)) {
    const images = rows * columns;
    if (images <= limits.images) continue;
    const layout = args.command === 'walk' ? `${rows} rows x ${columns} images = ` : '';
    throw new UsageError(
      `\`${args.command}\` would draw ${layout}${images.toLocaleString('en')} images, more than ${limits.images.toLocaleString('en')}: lower ${flags[args.command]}`,
    );
  }
}

/**
 * Refuses, before anything is generated, a command whose written grid would exceed {@link limits.gridPixels} at this
 * image size and zoom (tiles of `imageSize * zoom` pixels, `2 * zoom` apart, as `writeGrid` lays them out).
 */
export function checkGridSize(
  args: Exclude<LatentArguments, { command: 'help' }>,
  imageSize: number,
  zoom: number,
): void {
  for (const { rows, columns } of plannedGrids(args)) {
    const side = (tiles: number): number => tiles * imageSize * zoom + (tiles + 1) * 2 * zoom;
    const [width, height] = [side(columns), side(rows)];
    if (width * height <= limits.gridPixels) continue;
    throw new UsageError(
      `\`${args.command}\` would write a grid of ${rows} x ${columns} images of ${imageSize}px at --zoom ${zoom}: ` +
        `${width.toLocaleString('en')} x ${height.toLocaleString('en')} pixels, more than ${limits.gridPixels / 1e6} megapixels: lower --zoom or the number of images`,
    );
  }
}
