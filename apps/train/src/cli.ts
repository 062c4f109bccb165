#!/usr/bin/env node
import { join } from 'node:path';

import { diagnose } from '@dcgan/backend';
import {
  createTrainingOutput,
  currentThreadPoolSize,
  exitCodes,
  formatTrainingSummary,
  runMain,
  stopOnSignals,
} from '@dcgan/cli';
import { resumeTraining, train, type TrainSummary } from '@dcgan/train';

import { helpText, parseTrainArguments, type TrainArguments } from './arguments.js';
import { diagnoseData, formatDoctorReport } from './doctor.js';

async function main(argv: readonly string[]): Promise<number> {
  const options = parseTrainArguments(argv);
  if (options.command === 'help') {
    process.stdout.write(helpText);
    return exitCodes.ok;
  }
  if (options.command === 'doctor') {
    process.stdout.write(
      formatDoctorReport(await diagnose(), { ...(await diagnoseData()), threadPoolSize: currentThreadPoolSize() }),
    );
    return exitCodes.ok;
  }
  const output = createTrainingOutput();
  const stop = stopOnSignals(output.say);
  let summary: TrainSummary;
  try {
    const control = { signal: stop.signal, onEvent: output.onEvent };
    summary = options.resume
      ? await resumeTraining(resumeOptions(options), control)
      : await train(trainOptions(options), control);
  } finally {
    stop.dispose();
  }
  process.stdout.write(formatTrainingSummary(summary));
  return summary.stopReason === 'aborted' ? (stop.exitCode() ?? exitCodes.SIGINT) : exitCodes.ok;
}

function trainOptions(options: TrainArguments): Parameters<typeof train>[0] {
  const name = options.quickstart ? 'quickstart' : 'dcgan';
  return {
    directory:
      options.out ??
      join('runs', `${name}-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`),
    name,
    data: options.data,
    format: options.quickstart ? 'mnist-package' : (options.format ?? 'auto'),
    dedupReport: options.dedupReport,
    acceptDedupDrop: options.acceptDedupDrop,
    size: options.size,
    channels: options.channels,
    baseWidth: options.baseWidth,
    kernelSize: options.kernelSize,
    batchSize: options.batchSize,
    seed: options.seed,
    steps: options.steps,
    timeLimitMinutes: options.timeLimitMinutes,
    sampleEvery: options.sampleEvery,
    checkpointEvery: options.checkpointEvery,
    strict: options.strict,
    backend: options.backend,
    wasmThreads: options.wasmThreads,
    quality:
      options.fidEvery === null
        ? null
        : {
            every: options.fidEvery,
            sampleCount: options.fidSamples,
            featureModel: options.fidModel,
            featureLayer: options.fidLayer,
          },
  };
}

/** A resume keeps the run's settings; only the targets given on the command line replace the run's. */
function resumeOptions(options: TrainArguments): Parameters<typeof resumeTraining>[0] {
  const given = (flag: string) => options.given.has(flag);
  return {
    directory: options.out!,
    backend: options.backend,
    wasmThreads: options.wasmThreads,
    ...(given('steps') ? { steps: options.steps } : {}),
    ...(given('time-limit') ? { timeLimitMinutes: options.timeLimitMinutes } : {}),
    ...(given('sample-every') ? { sampleEvery: options.sampleEvery } : {}),
    ...(given('checkpoint-every') ? { checkpointEvery: options.checkpointEvery } : {}),
    ...(given('strict') ? { strict: true } : {}),
    ...(given('dedup-report') ? { dedupReport: options.dedupReport } : {}),
  };
}

void runMain('dcgan-train', main);
