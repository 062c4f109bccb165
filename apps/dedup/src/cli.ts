import { join } from 'node:path';

import { initBackend } from '@dcgan/backend';
import { isWholeDataset } from '@dcgan/data';
import { dedupRunFiles, loadSemanticHasher, mergeHashShards } from '@dcgan/dedup';

import { helpText, parseDedupArguments, type DedupArguments } from './arguments.js';
import { dedupWithProgress, hashAndReport, hashShard } from './commands/hash-command.js';
import { trainHasher } from './commands/train-command.js';
import { runEvaluation } from './evaluation/run-evaluation.js';
import { createOutputFolders, openHasherInput, trainingSet } from './output-folders.js';
import { UsageError } from './usage-error.js';

async function main(argv: readonly string[]): Promise<void> {
  const arguments_ = parseDedupArguments(argv);
  if (arguments_.command === 'help') {
    process.stdout.write(helpText);
    return;
  }
  // Ctrl-C stops after the current step or batch; finished epochs and chunks are kept.
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after the current step (Ctrl-C again to quit now)...\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const selection = await initBackend({ prefer: arguments_.backend });
  process.stderr.write(`backend: ${selection.name} (${selection.reason})\n`);
  for (const warning of selection.warnings) process.stderr.write(`warning: ${warning}\n`);
  await run(arguments_, controller.signal, argv);
}

async function run(arguments_: DedupArguments, signal: AbortSignal, argv: readonly string[]): Promise<void> {
  const architecture = { imageWidth: arguments_.imageSize, imageHeight: arguments_.imageSize, channels: arguments_.channels };
  const open = () => openHasherInput(arguments_, arguments_.data, arguments_.format);
  await createOutputFolders(arguments_);
  switch (arguments_.command) {
    case 'train': {
      const training = await trainingSet(arguments_, await open());
      const hasher = await trainHasher(arguments_, training.source, training.transform, arguments_.hasher!, signal);
      process.stdout.write(`hasher: ${arguments_.hasher} (${hasher.inputSize}-${hasher.codeBits}-${hasher.inputSize}, trained ${String(hasher.training.epochs ?? 0)} epochs)\n`);
      return;
    }
    case 'hash':
    case 'merge': {
      const hasher = await loadSemanticHasher(arguments_.hasher!, architecture);
      const { source, transform } = await open();
      if (arguments_.command === 'hash' && !isWholeDataset(arguments_.shard)) {
        await hashShard(arguments_, source, transform, hasher, arguments_.out!, signal);
        return;
      }
      if (arguments_.command === 'merge') {
        const merged = await mergeHashShards(arguments_.out!, join(arguments_.out!, 'hashes'));
        process.stdout.write(`merged ${merged.shards} shards: ${merged.itemsRead} items (${merged.hashed} hashed, ${merged.skipped} skipped) into ${merged.directory}\n`);
      }
      await hashAndReport(arguments_, source, transform, hasher, arguments_.out!, signal);
      return;
    }
    case 'run': {
      const data = await open();
      const training = await trainingSet(arguments_, data);
      await dedupWithProgress(arguments_, data, arguments_.out!, signal, { hasherPath: arguments_.hasher ?? join(arguments_.out!, dedupRunFiles.hasher), training });
      return;
    }
    case 'evaluate':
      await runEvaluation(arguments_, arguments_.out!, `dcgan-dedup ${argv.join(' ')}`, signal);
      return;
    case 'help':
      return;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = error instanceof UsageError;
  const aborted = (error as Error | undefined)?.name === 'AbortError';
  process.stderr.write(`${usage ? 'usage error: ' : aborted ? 'stopped: ' : 'error: '}${(error as Error)?.message ?? String(error)}\n`);
  process.exit(usage ? 2 : aborted ? 130 : 1);
});
