import {
  numberOption,
  paperOptionsHelp,
  parsePaperArguments,
  ProgressBar,
  reexecWithThreadPool,
  runMain,
  trainPreset,
  UsageError,
} from '@dcgan/cli';

import { facesSettings } from './paper-settings.js';
import { prepareFaceCrops } from './prepare-face-crops.js';

const help = `dcgan-train-faces: the paper's faces training: square face crops at 64x64, batch 128, Adam 2e-4 / 0.5.

Usage:
  dcgan-train-faces --photos <dir> --boxes <file> [--out runs/faces] [--epochs 5]
  dcgan-train-faces --photos <dir> --boxes <file> --out <run> --resume

Options:
  --photos <dir>       the photos (searched recursively when there is no boxes file)
  --boxes <file>       face boxes: JSON or CSV/TSV "file, x, y, w, h" (CelebA's list_bbox_celeba.txt reads as is;
                       @dcgan/faces writes one); without it every photo is used whole, centre-cropped
  --margin <f>         context around each box, as a fraction of its longer side per side (default 0.25)
  --crops <dir>        where the 64x64 crops are written first (default <out>-crops; resumable)
  --out <dir>          run folder (default runs/faces)
  --epochs <n>         passes over the crops (default 5; the paper does not say)
${paperOptionsHelp(facesSettings)}`;

async function main(argv: readonly string[]): Promise<number> {
  const { values, overrides } = parsePaperArguments(argv, {
    photos: { type: 'string' },
    boxes: { type: 'string' },
    margin: { type: 'string' },
    crops: { type: 'string' },
  });
  if (values.help === true) {
    process.stdout.write(help);
    return 0;
  }
  if (values.photos === undefined) throw new UsageError('Expected `--photos <dir>` (see --help)');
  const margin = numberOption('--margin', values.margin, facesSettings.margin, { minimum: 0, maximum: 4 });
  const code = await reexecWithThreadPool();
  if (code !== null) return code;
  const out = values.out ?? 'runs/faces';
  const crops = values.crops ?? `${out}-crops`;

  let bar: ProgressBar | undefined;
  const prepared = await prepareFaceCrops({
    photos: values.photos,
    boxes: values.boxes,
    margin,
    crops,
    size: facesSettings.size,
    onProgress: (done, total) => {
      bar ??= new ProgressBar({ total, label: 'cropping faces' });
      bar.update(done);
    },
  });
  bar?.finish();
  const usable = prepared.total - prepared.skipped.length;
  process.stderr.write(
    `${usable.toLocaleString('en')} face crops in ${crops} (${prepared.written} new, ${prepared.kept} kept)\n`,
  );
  if (prepared.skipped.length > 0) {
    process.stderr.write(
      `skipped ${prepared.skipped.length} box(es) whose photo could not be read (listed in ${crops}/skipped.ndjson):\n`,
    );
    for (const item of prepared.skipped.slice(0, 10)) process.stderr.write(`  ${item.key}: ${item.reason}\n`);
  }
  return trainPreset(facesSettings, {
    data: crops,
    out,
    imageCount: usable,
    itemName: 'face crops',
    values,
    overrides,
  });
}

void runMain('dcgan-train-faces', main);
