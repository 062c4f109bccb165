import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { renderManifests } from './render-manifests';
import { defaultClusterSettings, type ClusterSettings } from './data-stage-jobs';

const usage = `Usage: pnpm --filter @dcgan/kubernetes-deploy generate -- [--image <ref>] [--shards <n>] [--parallelism <n>]
    [--data-claim <name>] [--outputs-claim <name>] [--outputs-size <size>] [--out <dir>]
Writes one JSON file per Job (and the outputs claim) to <dir> (default: deploy/kubernetes/manifests).`;

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`Expected \`--${name}\` to be a positive integer, got \`${text}\`\n${usage}`);
  return value;
}

const { values } = parseArgs({
  args: process.argv.slice(2).filter((argument) => argument !== '--'),
  options: {
    image: { type: 'string' },
    shards: { type: 'string' },
    parallelism: { type: 'string' },
    'data-claim': { type: 'string' },
    'outputs-claim': { type: 'string' },
    'outputs-size': { type: 'string' },
    out: { type: 'string' },
  },
});
const shards = positiveInteger('shards', values.shards, defaultClusterSettings.shards);
const settings: ClusterSettings = {
  ...defaultClusterSettings,
  image: values.image ?? defaultClusterSettings.image,
  shards,
  parallelism: positiveInteger('parallelism', values.parallelism, shards),
  dataClaim: values['data-claim'] ?? defaultClusterSettings.dataClaim,
  outputsClaim: values['outputs-claim'] ?? defaultClusterSettings.outputsClaim,
  outputsSize: values['outputs-size'] ?? defaultClusterSettings.outputsSize,
};
const out = values.out ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'manifests');
await mkdir(out, { recursive: true });
for (const [name, text] of Object.entries(renderManifests(settings))) {
  await writeFile(join(out, name), text);
  process.stdout.write(`${join(out, name)}\n`);
}
