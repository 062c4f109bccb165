import { datasetPaperMain, paperOptionsHelp, runMain } from '@dcgan/cli';

import { lsunBedroomsDedupSettings, lsunBedroomsSettings } from './paper-settings.js';

const help = `dcgan-train-lsun-bedrooms: the paper's LSUN bedrooms training (64x64, batch 128, Adam 2e-4 / 0.5), after
removing near-duplicate images with a semantic hash as the paper did (section 4.1.1).

Usage:
  dcgan-train-lsun-bedrooms --data <bedroom_train_lmdb> [--out runs/lsun-bedrooms] [--epochs 5]
  dcgan-train-lsun-bedrooms --data <bedroom_train_lmdb> --out <run> --resume

Options:
  --data <dir>         the LSUN release's LMDB folder (holding data.mdb)
  --out <dir>          run folder: samples/*.png, checkpoint/, metrics.ndjson, dedup/ (default runs/lsun-bedrooms)
  --epochs <n>         passes over the (deduplicated) data (default 5; the paper shows 1 and 5)
${paperOptionsHelp(lsunBedroomsSettings, lsunBedroomsDedupSettings)}`;

const programName = 'dcgan-train-lsun-bedrooms';

void runMain(
  programName,
  datasetPaperMain({
    programName,
    settings: lsunBedroomsSettings,
    help,
    dataPlaceholder: '<bedroom_train_lmdb>',
    defaultOut: 'runs/lsun-bedrooms',
    dedup: lsunBedroomsDedupSettings,
  }),
);
