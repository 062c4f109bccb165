import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { initBackend } from '@dcgan/backend';
import { exitCodes, formatDuration, runMain, stopOnSignals, stoppedBy } from '@dcgan/cli';
import { createDiscriminator } from '@dcgan/core';
import { loadCheckpoint } from '@dcgan/core/node';
import { formatShard, isWholeDataset, writeFileAtomic } from '@dcgan/data';
import {
  extractProbeFeatureShard,
  formatProbeTable,
  mergeProbeFeatureShards,
  runLinearProbe,
  type LinearProbeOptions,
  type ProbeMethod,
  type ProbeMethodResult,
  type ProbeReport,
} from '@dcgan/probe';

import { helpText, parseProbeArguments, type ProbeDefaults } from './arguments.js';
import { openProbeData } from './open-probe-data.js';
import { createEventRenderer } from './render-events.js';

export type { ProbeDefaults } from './arguments.js';
export { openProbeData, type ProbeData } from './open-probe-data.js';

/** Where output goes (replaceable in tests). */
export interface ProbeCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** What the JSON report holds besides the probe's own report. */
export interface ProbeCommandReport extends ProbeReport {
  readonly command: string;
  readonly checkpoint: { readonly path: string; readonly completedSteps: number; readonly config: unknown };
  readonly backend: string;
  readonly data: string;
}

/**
 * The dcgan-probe command: parses `argv`, probes the checkpoint's discriminator, prints the table and writes
 * `report.json` / `report.md` (and `report.partial.json` after each finished method). Returns the exit code.
 * With `--shard i/N` (or a Job's environment) it only extracts shard i's features into `<out>/features`;
 * `merge` checks and joins the shards' stores, then probes as one process would.
 */
export async function runProbeCommand(
  argv: readonly string[],
  defaults: ProbeDefaults,
  io: ProbeCommandIo = defaultIo,
): Promise<number> {
  const args = parseProbeArguments(argv, defaults);
  if (args.command === 'help') {
    io.stdout(helpText(defaults));
    return exitCodes.ok;
  }
  const started = performance.now();
  const selection = await initBackend({
    prefer: args.backend,
    onEvent: (event) => event.status === 'warning' && io.stderr(`warning: ${event.message}\n`),
  });
  io.stderr(`backend: ${selection.name} (${selection.reason})\n`);
  const trainer = await loadCheckpoint(args.checkpoint!);
  const config = trainer.config;
  const random = createDiscriminator(config, { seed: args.randomSeed });
  const out = args.out ?? join(dirname(resolve(args.checkpoint!)), `probe-${args.dataset}`);
  await mkdir(out, { recursive: true });
  const say = (line: string): void => io.stderr(`${line}\n`);
  const stop = stopOnSignals(
    say,
    'stopping after the current batch (finished methods are in report.partial.json, features stay in the stores)',
  );
  const renderer = createEventRenderer(say);
  try {
    const data = await openProbeData(args.dataset, args, config.imageSize, config.channels);
    io.stderr(`data: ${data.note}\n`);
    io.stderr(
      `discriminator: ${args.checkpoint} (step ${trainer.completedSteps}, ${config.imageSize}px, ${config.channels} channel(s), base width ${config.baseWidth})\n`,
    );
    const methods: ProbeMethod[] = [];
    for (const name of args.methods) {
      if (name === 'discriminator')
        methods.push({
          kind: 'discriminator',
          name: 'dcgan-discriminator',
          discriminator: trainer.discriminator,
          description: `trained DCGAN D (step ${trainer.completedSteps}), conv layers max-pooled to 4x4`,
        });
      if (name === 'random')
        methods.push({
          kind: 'discriminator',
          name: 'random-discriminator',
          discriminator: random,
          description: `random D (seed ${args.randomSeed}), same architecture and pooling`,
        });
      if (name === 'pixels') methods.push({ kind: 'pixels', name: 'pixels', description: 'raw pixels in [-1, 1]' });
      if (name === 'supervised') {
        methods.push({
          kind: 'supervised',
          name: 'supervised-cnn',
          config,
          draws: args.supervisedDraws,
          trials: args.supervisedTrials,
          training: { epochs: args.supervisedEpochs },
          description:
            args.supervisedTrials > 1
              ? `D's architecture trained on the labelled draw (Adam, early stopping; learning rate and batch size by random search over ${args.supervisedTrials} trials on the validation split)`
              : "D's architecture trained on the labelled draw (Adam, early stopping)",
        });
      }
    }
    const trainCount = data.train.indices?.length ?? data.train.source.length ?? 0;
    const validationSize = args.validation > 0 ? args.validation : Math.max(1, Math.round(trainCount / 10));
    const probeOptions: LinearProbeOptions = {
      dataset: data.name,
      train: data.train,
      test: data.test,
      methods,
      validationSize,
      labelsPerClass: args.labelsPerClass,
      draws: args.draws,
      selectionDraws: args.selectionDraws,
      ...(args.costs === null ? {} : { costs: args.costs }),
      batchSize: args.batchSize,
      ...(args.statisticsLimit === null ? {} : { statisticsLimit: args.statisticsLimit }),
      ...(args.store ? { featureDirectory: join(out, 'features') } : {}),
      seed: args.seed,
      standardize: args.standardize,
      signal: stop.signal,
      onEvent: (event) => renderer.onEvent(event),
    };
    if (!isWholeDataset(args.shard)) {
      const shard = await extractProbeFeatureShard(probeOptions, args.shard);
      renderer.finish();
      io.stdout(
        `shard ${formatShard(shard.shard)}: features of ${shard.trainItems} training and ${shard.testItems} test items in ${join(out, 'features')} ` +
          `(${formatDuration((performance.now() - started) / 1000)}); run \`${defaults.programName} merge\` with the same options once every shard is done\n`,
      );
      await Promise.all(data.sources.map((source) => source.close()));
      return exitCodes.ok;
    }
    if (args.command === 'merge') {
      const merged = await mergeProbeFeatureShards(probeOptions);
      io.stderr(
        `merged ${merged.shards} shards into ${merged.stores.length} feature stores under ${join(out, 'features')}\n`,
      );
    }
    const finished: ProbeMethodResult[] = [];
    // Partial reports are written one after another (never two renames of one temporary file at once).
    let partialWrites = Promise.resolve();
    const report = await runLinearProbe({
      ...probeOptions,
      onEvent: (event) => {
        renderer.onEvent(event);
        if (event.status === 'method-done') {
          finished.push(event.result);
          const snapshot = { command: commandLine(defaults, argv), methods: [...finished] };
          partialWrites = partialWrites.then(() => writeJson(join(out, 'report.partial.json'), snapshot));
        }
      },
    });
    renderer.finish();
    await partialWrites;
    const full: ProbeCommandReport = {
      ...report,
      command: commandLine(defaults, argv),
      checkpoint: { path: resolve(args.checkpoint!), completedSteps: trainer.completedSteps, config },
      backend: selection.name,
      data: data.note,
    };
    const table = formatProbeTable(report);
    await writeJson(join(out, 'report.json'), full);
    await writeFile(join(out, 'report.md'), `${table}\n\n${full.command}\n`);
    io.stdout(
      `${table}\n\nreport: ${join(out, 'report.json')} (${formatDuration((performance.now() - started) / 1000)})\n`,
    );
    await Promise.all(data.sources.map((source) => source.close()));
    return stop.exitCode() ?? exitCodes.ok;
  } catch (error) {
    return stoppedBy(stop, error, say);
  } finally {
    renderer.finish();
    stop.dispose();
    random.dispose();
    trainer.dispose();
  }
}

const defaultIo: ProbeCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function commandLine(defaults: ProbeDefaults, argv: readonly string[]): string {
  return [
    defaults.programName,
    ...argv.map((argument) => (/^[\w./,:=@-]+$/.test(argument) ? argument : JSON.stringify(argument))),
  ].join(' ');
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Runs a probe command as a process, by the exit-code table of @dcgan/cli. */
export function runAsProcess(defaults: ProbeDefaults): void {
  void runMain(defaults.programName, (argv) => runProbeCommand(argv, defaults));
}
