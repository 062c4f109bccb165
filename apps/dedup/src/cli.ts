import { join } from 'node:path';

import { initBackend } from '@dcgan/backend';
import { exitCodes, runMain, runStoppable } from '@dcgan/cli';
import { isWholeDataset } from '@dcgan/data';
import { dedupRunFiles, loadSemanticHasher, mergeHashShards } from '@dcgan/dedup';

import { helpText, parseDedupArguments, type DedupArguments } from './arguments.js';
import { dedupWithProgress, hashAndReport, hashShard } from './commands/hash-command.js';
import { trainHasher } from './commands/train-command.js';
import { runEvaluation } from './evaluation/run-evaluation.js';
import { createOutputFolders, openHasherInput, trainingSet } from './output-folders.js';

async function main(argv: readonly string[]): Promise<number> {
  const arguments_ = parseDedupArguments(argv);
  if (arguments_.command === 'help') {
    process.stdout.write(helpText);
    return exitCodes.ok;
  }
  const say = (message: string): void => void process.stderr.write(`${message}\n`);
  const selection = await initBackend({ prefer: arguments_.backend });
  say(`backend: ${selection.name} (${selection.reason})`);
  for (const warning of selection.warnings) say(`warning: ${warning}`);
  // SIGINT / SIGTERM stop after the current step or batch; finished epochs and chunks are kept.
  return runStoppable(say, 'stopping after the current step; finished epochs and chunks are kept', async (signal) => {
    await run(arguments_, signal, argv);
    return exitCodes.ok;
  });
}

async function run(arguments_: DedupArguments, signal: AbortSignal, argv: readonly string[]): Promise<void> {
  const architecture = {
    imageWidth: arguments_.imageSize,
    imageHeight: arguments_.imageSize,
    channels: arguments_.channels,
  };
  const open = () => openHasherInput(arguments_, arguments_.data, arguments_.format);
  await createOutputFolders(arguments_);
  switch (arguments_.command) {
    case 'train': {
      const training = await trainingSet(arguments_, await open());
      const hasher = await trainHasher(arguments_, training.source, training.transform, arguments_.hasher!, signal);
      process.stdout.write(
        `hasher: ${arguments_.hasher} (${hasher.inputSize}-${hasher.codeBits}-${hasher.inputSize}, trained ${String(hasher.training.epochs ?? 0)} epochs)\n`,
      );
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
        process.stdout.write(
          `merged ${merged.shards} shards: ${merged.itemsRead} items (${merged.hashed} hashed, ${merged.skipped} skipped) into ${merged.directory}\n`,
        );
      }
      await hashAndReport(arguments_, source, transform, hasher, arguments_.out!, signal);
      return;
    }
    case 'run': {
      const data = await open();
      const training = await trainingSet(arguments_, data);
      await dedupWithProgress(arguments_, data, arguments_.out!, signal, {
        hasherPath: arguments_.hasher ?? join(arguments_.out!, dedupRunFiles.hasher),
        training,
      });
      return;
    }
    case 'evaluate':
      await runEvaluation(arguments_, arguments_.out!, `dcgan-dedup ${argv.join(' ')}`, signal);
      return;
    case 'help':
      return;
  }
}

void runMain('dcgan-dedup', main);
