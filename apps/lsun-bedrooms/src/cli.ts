import { parseArgs } from 'node:util';

import { openLmdbImages } from '@dcgan/data';
import { buildTrainArguments, positiveInteger, runPaperApp, runTrainCli, splitPassThrough, UsageError } from '@dcgan/train-app/paper-run';

import { lsunBedroomsSettings } from './paper-settings.js';

const help = `dcgan-train-lsun-bedrooms: the paper's LSUN bedrooms training (64x64, batch 128, Adam 2e-4 / 0.5).

Usage:
  dcgan-train-lsun-bedrooms --data <bedroom_train_lmdb> [--out runs/lsun-bedrooms] [--epochs 5]
  dcgan-train-lsun-bedrooms --data <bedroom_train_lmdb> --out <run> --resume

Options:
  --data <dir>         the LSUN release's LMDB folder (holding data.mdb)
  --out <dir>          run folder: samples/*.png, checkpoint/, metrics.ndjson (default runs/lsun-bedrooms)
  --epochs <n>         passes over the data (default 5; the paper shows 1 and 5)
  --steps <n>          train exactly n steps instead
  --batch-size <n>     default 128 (the paper's)
  --backend <name>     auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)
  --resume             continue the run in --out
  -- <options>         passed to dcgan-train last (they override the settings above)
`;

async function main(argv: readonly string[]): Promise<number> {
  const { own, passThrough } = splitPassThrough(argv);
  const { values } = parseArgs({
    args: own,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      data: { type: 'string' },
      out: { type: 'string' },
      epochs: { type: 'string' },
      steps: { type: 'string' },
      'batch-size': { type: 'string' },
      backend: { type: 'string' },
      resume: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(help);
    return 0;
  }
  if (values.data === undefined) throw new UsageError('Expected `--data <bedroom_train_lmdb>` (see --help)');
  const epochs = positiveInteger('--epochs', values.epochs, lsunBedroomsSettings.epochs);
  const batchSize = positiveInteger('--batch-size', values['batch-size'], lsunBedroomsSettings.batchSize);
  const steps = values.steps === undefined ? undefined : positiveInteger('--steps', values.steps, 1);
  process.stderr.write(`indexing ${values.data} ...\n`);
  const source = await openLmdbImages(values.data);
  const imageCount = source.length ?? 0;
  await source.close();
  const trainArguments = buildTrainArguments(lsunBedroomsSettings, {
    data: values.data,
    out: values.out ?? 'runs/lsun-bedrooms',
    imageCount,
    epochs,
    batchSize,
    steps,
    backend: values.backend ?? 'auto',
    resume: values.resume === true,
    extra: passThrough,
  });
  process.stderr.write(`${imageCount.toLocaleString('en')} images; running: dcgan-train ${trainArguments.join(' ')}\n`);
  return runTrainCli(trainArguments);
}

void runPaperApp('dcgan-train-lsun-bedrooms', main);
