#!/usr/bin/env node
import { BackendError, diagnose } from '@dcgan/backend';
import { CheckpointError, DcganError } from '@dcgan/core';
import { DataError } from '@dcgan/data';
import { DedupError } from '@dcgan/dedup';

import { helpText, parseTrainArguments, UsageError } from './arguments.js';
import { diagnoseData, formatDoctorReport } from './doctor.js';
import { formatDuration, ProgressBar } from './progress-bar.js';
import { runTraining } from './run-training.js';
import { currentThreadPoolSize } from './thread-pool-size.js';

async function main(argv: readonly string[]): Promise<number> {
  const options = parseTrainArguments(argv);
  if (options.command === 'help') {
    process.stdout.write(helpText);
    return 0;
  }
  if (options.command === 'doctor') {
    process.stdout.write(formatDoctorReport(await diagnose(), { ...(await diagnoseData()), threadPoolSize: currentThreadPoolSize() }));
    return 0;
  }
  let bar: ProgressBar | null = null;
  const summary = await runTraining(options, {
    info: (message) => (bar ? bar.log(message) : process.stderr.write(`${message}\n`)),
    progress: (step, totalSteps, result) => {
      bar ??= new ProgressBar({ total: totalSteps });
      bar.update(
        step,
        `D ${result.discriminatorLoss.toFixed(3)} G ${result.generatorLoss.toFixed(3)} ` +
          `D(x) ${result.realScore.toFixed(2)} D(G(z)) ${result.fakeScore.toFixed(2)} | ${result.imagesPerSecond.toFixed(1)} img/s`,
      );
    },
    finish: () => bar?.finish(),
  });
  const lines = [
    `${summary.interrupted ? 'stopped' : summary.stoppedByTimeLimit ? 'time limit reached' : 'done'}: ${summary.completedSteps} steps in ${formatDuration(summary.seconds)} on ${summary.backend.name}`,
    `  ${summary.meanImagesPerSecond.toFixed(1)} images/s while training; waiting for data ${(summary.inputWaitShare * 100).toFixed(1)}% of the time`,
    `  samples:    ${summary.lastSample ?? '(none)'}`,
    `  checkpoint: ${summary.checkpoint}   (continue with --resume --out ${summary.directory})`,
    `  generator:  ${summary.generator}   (tfjs layers format, loads in a browser)`,
    `  metrics:    ${summary.directory}/metrics.ndjson`,
  ];
  if (summary.skippedItems > 0) lines.push(`  skipped ${summary.skippedItems} unreadable item(s): ${summary.directory}/skipped.ndjson`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return summary.interrupted ? 130 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dcgan-train: error: ${describeError(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);

/** One line for the errors a user can fix; the full stack only for bugs. */
function describeError(error: unknown): string {
  if (
    error instanceof UsageError ||
    BackendError.isInstance(error) ||
    DcganError.isInstance(error) ||
    CheckpointError.isInstance(error) ||
    DataError.isInstance(error) ||
    DedupError.isInstance(error)
  ) {
    return (error as Error).message;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
