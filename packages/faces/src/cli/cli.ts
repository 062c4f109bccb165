#!/usr/bin/env node
import { initBackend } from '@dcgan/backend';

import { buildFaceDataset } from '../dataset/build-face-dataset';
import { mergeFaceShards } from '../dataset/face-shards';
import { FacesError } from '../errors/faces-error';
import { parseCliArguments, usage, UsageError } from './arguments';
import { formatSummary } from './format-summary';
import { ProgressBar } from './progress-bar';

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCliArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dcgan-faces: ${error.message}\n\n${usage}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.merge !== undefined) {
    const summary = await mergeFaceShards(parsed.merge);
    process.stdout.write(`${formatSummary(summary)}\n`);
    return 0;
  }
  if (parsed.help || parsed.options === undefined) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const bar = new ProgressBar();
  const selection = await initBackend({ prefer: parsed.backend, onEvent: (event) => event.status === 'warning' && bar.log(`warning: ${event.message}`) });
  bar.log(`backend: ${selection.name} (${selection.reason})`);
  if (parsed.options.shard !== undefined) bar.log(`shard ${parsed.options.shard.index}/${parsed.options.shard.count}: writing ${parsed.options.outputDirectory}`);

  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    bar.log('Stopping after this photo (Ctrl-C again to quit now; finished photos are kept either way)...');
    controller.abort();
  });

  const summary = await buildFaceDataset({
    ...parsed.options,
    signal: controller.signal,
    onEvent: (event) => {
      switch (event.status) {
        case 'loading-detector':
          bar.log(`loading ${event.model} (weights from @vladmandic/face-api)`);
          break;
        case 'started':
          if (event.alreadyDone > 0) bar.log(`resuming: ${event.alreadyDone} photos were done by an earlier run`);
          break;
        case 'photo':
        case 'unreadable': {
          const { totals } = event;
          bar.update(event.done, event.total, `photos | faces ${totals.facesFound} found, ${totals.facesKept} kept, ${totals.facesRejected} rejected | ${totals.unreadable} unreadable`);
          if (event.status === 'unreadable') bar.log(`unreadable: ${event.file}: ${event.reason}`);
          break;
        }
        case 'finishing':
          bar.finish();
          bar.log('writing boxes files and contact sheet...');
          break;
        case 'finished':
          break;
      }
    },
  });
  bar.finish();
  process.stdout.write(`${formatSummary(summary)}\n`);
  return summary.interrupted ? 130 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dcgan-faces: ${FacesError.isInstance(error) || error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
