import { backendPreferenceList, type BackendPreference } from '@dcgan/backend';
import { backendOption, numberOption, parseOptions, shardOption, standardOptionsHelp, UsageError } from '@dcgan/cli';
import { isWholeDataset, shardDirectory } from '@dcgan/data';
import type { BuildFaceDatasetOptions, FaceDetectorModel } from '@dcgan/faces';

export const usage = `Usage: dcgan-faces <photos> --out <dir> [options]
       dcgan-faces merge --out <dir>

Finds faces in a folder of photos (recursively) and writes a DCGAN faces training set: square crops of the
large, confident faces, a boxes file (boxes.csv, boxes.json) for @dcgan/data's face-crop source, and a
contact sheet of kept and rejected boxes. Running the same command again resumes an interrupted run.

Options:
  --out <dir>              output folder (required)
  --min-size <px>          shortest side a face box needs, in photo pixels (default 64)
  --min-score <0..1>       detector score a face box needs (default 0.5)
  --candidate-score <0..1> report boxes down to this score as rejected (default 0.3)
  --margin <fraction>      margin around the box on each side, of its longer side (default 0.25, as openFaceCrops)
  --size <px>              side of the square crops written (default 64)
  --detector <name>        ssd (SSD-MobileNet v1, default) or tiny (tiny face detector, faster)
  --detection-size <px>    shrink photos to this longer side before detection (default 1024)
  --contact-limit <n>      kept and rejected boxes drawn on the contact sheet, each (default 100)
  --max-megapixels <n>     photos larger than this are listed as unreadable, not decoded (default 64)
  --fresh                  delete an earlier run in --out and start again
  --shard <i/N>            search only photos p with p mod N = i, into <dir>/shards/shard-0000i-of-0000N
                           (default: from JOB_COMPLETION_INDEX/JOB_COMPLETIONS of a Kubernetes Indexed Job or
                           AWS_BATCH_JOB_ARRAY_INDEX/AWS_BATCH_JOB_ARRAY_SIZE; else all photos)
  merge                    join the N finished shards in <dir>/shards into <dir>, as one process would have
                           written it (refuses missing, duplicated or unfinished shards, naming them)
  --backend <name>         ${backendPreferenceList} (default auto)
${standardOptionsHelp(27)}`;

export interface CliArguments {
  readonly help: boolean;
  readonly backend: BackendPreference;
  readonly options: Omit<BuildFaceDatasetOptions, 'onEvent' | 'signal'> | undefined;
  /** `dcgan-faces merge --out <dir>`: the folder whose shards to merge. */
  readonly merge?: string;
}

/** `--max-megapixels` as a pixel count, checked here so that the message names the flag. */
function megapixels(text: string | undefined): number | undefined {
  const value = numberOption('--max-megapixels', text, undefined, {
    minimum: 0,
    exclusiveMinimum: true,
    maximum: Math.floor((0x3fff * 0x3fff) / 1e6),
  });
  return value === undefined ? undefined : Math.round(value * 1e6);
}

const detectorNames: Record<string, FaceDetectorModel> = {
  ssd: 'ssd-mobilenet-v1',
  'ssd-mobilenet-v1': 'ssd-mobilenet-v1',
  tiny: 'tiny-face-detector',
  'tiny-face-detector': 'tiny-face-detector',
};

export function parseCliArguments(argv: readonly string[]): CliArguments {
  const { values, positionals } = parseOptions(
    argv,
    {
      out: { type: 'string', short: 'o' },
      'min-size': { type: 'string' },
      'min-score': { type: 'string' },
      'candidate-score': { type: 'string' },
      margin: { type: 'string' },
      size: { type: 'string' },
      detector: { type: 'string' },
      'detection-size': { type: 'string' },
      'contact-limit': { type: 'string' },
      'max-megapixels': { type: 'string' },
      fresh: { type: 'boolean' },
      shard: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    { positionals: true },
  );
  const backend = backendOption(values.backend);
  if (values.help === true) return { help: true, backend, options: undefined };
  if (positionals[0] === 'merge') {
    if (positionals.length !== 1)
      throw new UsageError(`Expected \`merge --out <dir>\` alone, got ${positionals.join(' ')}`);
    if (values.out === undefined) throw new UsageError('Expected `--out <dir>`: the folder whose shards to merge');
    return { help: false, backend, options: undefined, merge: values.out };
  }
  const shard = shardOption(values.shard);
  if (positionals.length !== 1)
    throw new UsageError(
      `Expected one photos folder, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  if (values.out === undefined) throw new UsageError('Expected `--out <dir>`: the folder to write crops and boxes to');
  let model: FaceDetectorModel | undefined;
  if (values.detector !== undefined) {
    model = detectorNames[values.detector];
    if (model === undefined)
      throw new UsageError(`Expected \`--detector\` to be ssd or tiny, got \`${values.detector}\``);
  }
  const options: Omit<BuildFaceDatasetOptions, 'onEvent' | 'signal'> = {
    photos: positionals[0] as string,
    outputDirectory: isWholeDataset(shard) ? values.out : shardDirectory(values.out, shard),
    ...(isWholeDataset(shard) ? {} : { shard }),
    minimumSize: numberOption('--min-size', values['min-size'], undefined),
    minimumScore: numberOption('--min-score', values['min-score'], undefined),
    candidateScore: numberOption('--candidate-score', values['candidate-score'], undefined),
    margin: numberOption('--margin', values.margin, undefined),
    imageSize: numberOption('--size', values.size, undefined),
    model,
    detectionSize: numberOption('--detection-size', values['detection-size'], undefined),
    contactSheetLimit: numberOption('--contact-limit', values['contact-limit'], undefined),
    maxPhotoPixels: megapixels(values['max-megapixels']),
    existing: values.fresh === true ? 'overwrite' : 'resume',
  };
  return { help: false, backend, options };
}
