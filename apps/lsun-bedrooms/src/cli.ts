import { datasetPaperMain, runMain } from '@dcgan/cli';

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
  --steps <n>          train exactly n steps instead
  --batch-size <n>     default 128 (the paper's)
  --backend <name>     auto | tensorflow-gpu | webgpu | tensorflow | wasm | cpu (default auto)
  --resume             continue the run in --out with its own settings and data (--steps or --epochs replace its
                       target); the dedup step is not run again

Dedup (before a new run trains; everything it makes is kept in <out>/dedup and a rerun continues or reuses it):
  --no-dedup           train on every image of the LMDB
  --dedup-report <f>   train without the items this @dcgan/dedup report drops (e.g. from dcgan-dedup run)
  --accept-dedup-drop  train even when the report drops more than 5% of the images (otherwise refused)
  --dedup-epochs <n>   hasher training epochs (default ${lsunBedroomsDedupSettings.epochs})
  --dedup-images-per-epoch <n>  images sampled per hasher epoch (default ${lsunBedroomsDedupSettings.imagesPerEpoch})
  --dedup-batch-size <n>        hasher batch (default ${lsunBedroomsDedupSettings.batchSize})
  --dedup-shift-probes <s>      also hash copies shifted by up to s pixels (default 2; 0 hashes 25 times faster
                                but misses shifted copies)

  -- <options>         run settings: --size --channels --base-width --kernel-size --seed --sample-every
                       --checkpoint-every --time-limit --strict (e.g. -- --strict); on --resume only the cadence,
                       --time-limit and --strict
`;

const programName = 'dcgan-train-lsun-bedrooms';

void runMain(programName, datasetPaperMain({
  programName,
  settings: lsunBedroomsSettings,
  help,
  dataPlaceholder: '<bedroom_train_lmdb>',
  defaultOut: 'runs/lsun-bedrooms',
  dedup: lsunBedroomsDedupSettings,
}));
