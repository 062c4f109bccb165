import { initBackend } from '@dcgan/backend';
import { exitCodes, ProgressBar, runMain, stopOnSignals } from '@dcgan/cli';
import { buildFaceDataset, mergeFaceShards } from '@dcgan/faces';

import { parseCliArguments, usage } from './arguments.js';
import { formatSummary } from './format-summary.js';

/** `dcgan-faces`: the face-crop dataset builder of @dcgan/faces (section 4.2 of the paper) as a command. */
async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCliArguments(argv);
  if (parsed.merge !== undefined) {
    const summary = await mergeFaceShards(parsed.merge);
    process.stdout.write(`${formatSummary(summary)}\n`);
    return exitCodes.ok;
  }
  if (parsed.help || parsed.options === undefined) {
    process.stdout.write(usage);
    return exitCodes.ok;
  }
  let bar: ProgressBar | undefined;
  const say = (message: string): void =>
    bar === undefined ? void process.stderr.write(`${message}\n`) : bar.log(message);
  const selection = await initBackend({
    prefer: parsed.backend,
    onEvent: (event) => event.status === 'warning' && say(`warning: ${event.message}`),
  });
  say(`backend: ${selection.name} (${selection.reason})`);
  if (parsed.options.shard !== undefined)
    say(`shard ${parsed.options.shard.index}/${parsed.options.shard.count}: writing ${parsed.options.outputDirectory}`);

  const stop = stopOnSignals(say, 'stopping after this photo (finished photos are kept either way)');
  try {
    const summary = await buildFaceDataset({
      ...parsed.options,
      signal: stop.signal,
      onEvent: (event) => {
        switch (event.status) {
          case 'loading-detector':
            say(`loading ${event.model} (weights from @vladmandic/face-api)`);
            break;
          case 'started':
            if (event.alreadyDone > 0) say(`resuming: ${event.alreadyDone} photos were done by an earlier run`);
            break;
          case 'photo':
          case 'unreadable': {
            const { totals } = event;
            bar ??= new ProgressBar({ total: event.total, label: 'photos' });
            bar.update(
              event.done,
              `| faces ${totals.facesFound} found, ${totals.facesKept} kept, ${totals.facesRejected} rejected | ${totals.unreadable} unreadable`,
            );
            if (event.status === 'unreadable') bar.log(`unreadable: ${event.file}: ${event.reason}`);
            break;
          }
          case 'finishing':
            bar?.finish();
            bar = undefined;
            say('writing boxes files and contact sheet...');
            break;
          case 'finished':
            break;
        }
      },
    });
    bar?.finish();
    process.stdout.write(`${formatSummary(summary)}\n`);
    return summary.interrupted ? (stop.exitCode() ?? exitCodes.SIGINT) : exitCodes.ok;
  } finally {
    stop.dispose();
  }
}

void runMain('dcgan-faces', main);
