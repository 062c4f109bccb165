/**
 * `@dcgan/train-app/paper-run`: what the paper apps (apps/lsun-bedrooms, apps/imagenet32, apps/faces) share.
 * Each app holds only its settings, help text and data wiring; it turns its settings into `dcgan-train`
 * arguments here and runs the built `dcgan-train` CLI, which does the training, progress, sample grids,
 * checkpoints and resume.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { DataError } from '@dcgan/data';

import type { DatasetFormat } from './arguments.js';
import { trainingThreadPoolSize } from './thread-pool-size.js';
import { UsageError } from './usage-error.js';

export { UsageError } from './usage-error.js';
export type { DatasetFormat } from './arguments.js';

/** A paper experiment's fixed `dcgan-train` settings (what the app passes on a fresh run). */
export interface PaperSettings {
  /** Dataset reader `dcgan-train` uses for `--data`. */
  readonly format: DatasetFormat;
  /** Image side in pixels, a power of two >= 16. */
  readonly size: number;
  readonly channels: 1 | 3;
  /** Channels of D's first / G's last hidden layer. */
  readonly baseWidth: number;
  /** Convolution kernel side: 4 (pytorch/examples) or 5 (the authors' code). */
  readonly kernelSize: 4 | 5;
  /** The default mini-batch size (the app's `--batch-size` overrides it). */
  readonly batchSize: number;
  /** The default number of passes over the data (the app's `--epochs` overrides it). */
  readonly epochs: number;
  readonly seed: number;
  /** Write a fixed-noise sample grid every this many steps. */
  readonly sampleEvery: number;
  /** Save a checkpoint every this many steps. */
  readonly checkpointEvery: number;
}

/** One run of a paper experiment: what the user chose and what the app found in the data. */
export interface PaperRunOptions {
  /** The dataset path passed to `dcgan-train --data`. */
  readonly data: string;
  /** The run folder. */
  readonly out: string;
  /** How many items `data` holds (a non-negative integer); with `epochs` and `batchSize` it gives the steps. */
  readonly imageCount: number;
  /** Passes over the data. @default settings.epochs */
  readonly epochs?: number;
  /** Images per step. @default settings.batchSize */
  readonly batchSize?: number;
  /** Train exactly this many steps instead of `epochs` passes. @default undefined */
  readonly steps?: number | undefined;
  /** `dcgan-train --backend`. @default 'auto' */
  readonly backend?: string;
  /** Continue the run in `out` (the model's shape then comes from its checkpoint). @default false */
  readonly resume?: boolean;
  /** Passed to `dcgan-train` last, so they override everything above. @default [] */
  readonly extra?: readonly string[];
  /** What `data` holds, for the error when it is smaller than one batch. @default 'images' */
  readonly itemName?: string;
}

/**
 * Steps for `epochs` passes over `imageCount` images in full batches (a last partial batch is dropped).
 *
 * @example stepsFor(3_033_042, 128, 5) // 118_475
 */
export function stepsFor(imageCount: number, batchSize: number, epochs: number): number {
  return epochs * Math.floor(imageCount / batchSize);
}

/**
 * The exact `dcgan-train` arguments of a paper run. A fresh run gets every setting; a resumed one only
 * `--resume --out --steps --backend` (the model's shape, seed and data come from the checkpoint). Anything in
 * `extra` comes last and so overrides. Throws UsageError when the data hold fewer images than one batch.
 *
 * @example
 * buildTrainArguments(lsunBedroomsSettings, { data: 'bedroom_train_lmdb', out: 'runs/lsun', imageCount: 3_033_042 })
 * // ['--data', 'bedroom_train_lmdb', '--format', 'lmdb', '--size', '64', ..., '--steps', '118475', '--backend', 'auto']
 */
export function buildTrainArguments(settings: PaperSettings, options: PaperRunOptions): string[] {
  const epochs = options.epochs ?? settings.epochs;
  const batchSize = options.batchSize ?? settings.batchSize;
  expectInteger('imageCount', options.imageCount, 0);
  expectInteger('epochs', epochs, 1);
  expectInteger('batchSize', batchSize, 1);
  if (options.steps !== undefined) expectInteger('steps', options.steps, 1);
  const steps = options.steps ?? stepsFor(options.imageCount, batchSize, epochs);
  if (steps < 1) {
    throw new UsageError(
      `${options.data} holds ${options.imageCount} ${options.itemName ?? 'images'}, fewer than one batch of ${batchSize}; pass a smaller --batch-size`,
    );
  }
  const common = ['--out', options.out, '--steps', String(steps), '--backend', options.backend ?? 'auto'];
  const extra = options.extra ?? [];
  if (options.resume === true) return ['--resume', ...common, ...extra];
  return [
    '--data',
    options.data,
    '--format',
    settings.format,
    '--size',
    String(settings.size),
    '--channels',
    String(settings.channels),
    '--base-width',
    String(settings.baseWidth),
    '--kernel-size',
    String(settings.kernelSize),
    '--batch-size',
    String(batchSize),
    '--seed',
    String(settings.seed),
    '--sample-every',
    String(settings.sampleEvery),
    '--checkpoint-every',
    String(settings.checkpointEvery),
    ...common,
    ...extra,
  ];
}

/**
 * Path of the built `dcgan-train` CLI (dist/cli.js of this package), from src/ and dist/ alike.
 *
 * @example spawn(process.execPath, [trainCliPath(), '--help'])
 */
export function trainCliPath(): string {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build it with \`pnpm --filter @dcgan/train-app build\``);
  return cli;
}

/**
 * Runs `dcgan-train` with `argumentsList` in a child process sharing this terminal; resolves with its exit
 * code (128 + the signal number when a signal ended it).
 *
 * @example process.exitCode = await runTrainCli(['--quickstart', '--steps', '10'])
 */
export function runTrainCli(argumentsList: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    // libuv reads UV_THREADPOOL_SIZE once, at start-up: give the training process one sharp decode thread per core.
    const env = { ...process.env, UV_THREADPOOL_SIZE: trainingThreadPoolSize() };
    const child = spawn(process.execPath, [trainCliPath(), ...argumentsList], { stdio: 'inherit', env });
    // Ctrl-C reaches the child through the terminal; keep this process alive until it has saved and exited.
    const ignore = (): void => undefined;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const stopIgnoring = (): void => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
    };
    child.on('error', (error) => {
      stopIgnoring();
      reject(error);
    });
    child.on('exit', (code, signal) => {
      stopIgnoring();
      if (code !== null) return resolve(code);
      const signalNumber = signal === null ? undefined : constants.signals[signal];
      resolve(signalNumber === undefined ? 1 : 128 + signalNumber);
    });
  });
}

/**
 * Splits an app's argv at the first `--`: the app's own options before it, options for `dcgan-train` after.
 *
 * @example splitPassThrough(['--data', 'x', '--', '--size', '16']) // { own: ['--data', 'x'], passThrough: ['--size', '16'] }
 */
export function splitPassThrough(argv: readonly string[]): { own: string[]; passThrough: string[] } {
  const split = argv.indexOf('--');
  return split === -1 ? { own: [...argv], passThrough: [] } : { own: argv.slice(0, split), passThrough: argv.slice(split + 1) };
}

/**
 * Reads a positive integer option; `fallback` when it was not given.
 *
 * @example positiveInteger('--epochs', values.epochs, 5) // 5 when --epochs is absent; UsageError for `--epochs 0`
 */
export function positiveInteger(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`Expected \`${flag}\` to be a positive integer, got \`${raw}\``);
  return value;
}

/**
 * Runs an app's `main` and sets the exit code: main's own, 2 with one line `<program>: error: <message>` for
 * mistakes the user can fix (UsageError, bad data, unknown options), 1 with the stack for anything else.
 *
 * @example runPaperApp('dcgan-train-lsun-bedrooms', main)
 */
export function runPaperApp(programName: string, main: (argv: readonly string[]) => Promise<number>): Promise<void> {
  return main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const known = UsageError.isInstance(error) || DataError.isInstance(error) || isParseArgumentsError(error);
      const message = known ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${programName}: error: ${message}\n`);
      process.exitCode = known ? 2 : 1;
    },
  );
}

/** What a paper app over one dataset path (apps/lsun-bedrooms, apps/imagenet32) is made of. */
export interface DatasetPaperApp {
  /** The program name, e.g. `dcgan-train-lsun-bedrooms`. */
  readonly programName: string;
  readonly settings: PaperSettings;
  /** The `--help` text. */
  readonly help: string;
  /** How `--data` is named in messages, e.g. `<bedroom_train_lmdb>`. */
  readonly dataPlaceholder: string;
  /** Default run folder. */
  readonly defaultOut: string;
  /** Opens `--data` and says how many images it holds (to turn `--epochs` into steps); says what it does first. */
  readonly countImages: (data: string, say: (message: string) => void) => Promise<number>;
}

/**
 * The whole command line of a paper app over one dataset path: parses `--data --out --epochs --steps
 * --batch-size --backend --resume` (and `-- <dcgan-train options>`), counts the images, prints the `dcgan-train`
 * command and runs it. Sets the process exit code.
 *
 * @example
 * void runDatasetPaperApp({ programName: 'dcgan-train-imagenet32', settings, help, dataPlaceholder: '<imagenet/train>',
 *   defaultOut: 'runs/imagenet32', countImages: async (data) => (await openImageFolder(data)).length ?? 0 });
 */
export function runDatasetPaperApp(app: DatasetPaperApp): Promise<void> {
  return runPaperApp(app.programName, async (argv) => {
    const { values, passThrough } = parsePaperArguments(argv, { data: { type: 'string' } });
    if (values.help === true) {
      process.stdout.write(app.help);
      return 0;
    }
    if (values.data === undefined) throw new UsageError(`Expected \`--data ${app.dataPlaceholder}\` (see --help)`);
    const run = paperRunOptions(values, app.settings);
    const imageCount = await app.countImages(values.data, (message) => process.stderr.write(`${message}\n`));
    const trainArguments = buildTrainArguments(app.settings, { ...run, data: values.data, out: values.out ?? app.defaultOut, imageCount, extra: passThrough });
    process.stderr.write(`${imageCount.toLocaleString('en')} images; running: dcgan-train ${trainArguments.join(' ')}\n`);
    return runTrainCli(trainArguments);
  });
}

/** The options every paper app takes (its own come on top). */
const paperOptions = {
  help: { type: 'boolean', short: 'h' },
  out: { type: 'string' },
  epochs: { type: 'string' },
  steps: { type: 'string' },
  'batch-size': { type: 'string' },
  backend: { type: 'string' },
  resume: { type: 'boolean' },
} as const;

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
/** What parseArgs gives for single-valued options: booleans for `type: 'boolean'`, strings otherwise. */
type OptionValues<Options> = { readonly [Name in keyof Options]?: Options[Name] extends { readonly type: 'boolean' } ? boolean : string };

/**
 * Parses a paper app's argv: its own `options` plus `--help --out --epochs --steps --batch-size --backend
 * --resume`, and the `-- <dcgan-train options>` after the first `--`. Unknown options are an error.
 *
 * @example const { values, passThrough } = parsePaperArguments(argv, { photos: { type: 'string' } });
 */
export function parsePaperArguments<Own extends OptionsConfig>(
  argv: readonly string[],
  options: Own,
): { values: OptionValues<typeof paperOptions & Own>; passThrough: string[] } {
  const { own, passThrough } = splitPassThrough(argv);
  const { values } = parseArgs({ args: own, strict: true, allowPositionals: false, options: { ...paperOptions, ...options } });
  return { values: values as OptionValues<typeof paperOptions & Own>, passThrough };
}

/** Reads the shared options' run settings (epochs, batch size, steps, backend, resume) against the app's defaults. */
export function paperRunOptions(
  values: { readonly epochs?: string | undefined; readonly steps?: string | undefined; readonly 'batch-size'?: string | undefined; readonly backend?: string | undefined; readonly resume?: boolean | undefined },
  settings: PaperSettings,
): Pick<PaperRunOptions, 'epochs' | 'batchSize' | 'steps' | 'backend' | 'resume'> {
  return {
    epochs: positiveInteger('--epochs', values.epochs, settings.epochs),
    batchSize: positiveInteger('--batch-size', values['batch-size'], settings.batchSize),
    steps: values.steps === undefined ? undefined : positiveInteger('--steps', values.steps, 1),
    backend: values.backend ?? 'auto',
    resume: values.resume === true,
  };
}

function expectInteger(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new UsageError(`Expected \`${name}\` to be an integer >= ${minimum}, got \`${value}\``);
  }
}

/** node:util parseArgs' errors (unknown option, missing value) are the user's to fix. */
function isParseArgumentsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
