import { dirname } from 'node:path';

import type { TrainEvent, TrainSummary } from '@dcgan/train';

import { formatDuration, ProgressBar } from './progress-bar';
import { currentThreadPoolSize } from './thread-pool-size';

export interface TrainingOutput {
  /** Draws a run's events: info lines on stderr and a progress bar. */
  readonly onEvent: (event: TrainEvent) => void;
  /** Prints a line above the bar. */
  readonly say: (message: string) => void;
}

/** How many skipped items of an epoch are named on the terminal (all of them are in skipped.ndjson). */
const skippedShown = 20;

/**
 * The terminal side of a training run, shared by dcgan-train and the paper presets.
 *
 * @example const output = createTrainingOutput(); await train(options, { onEvent: output.onEvent });
 */
export function createTrainingOutput(stream: NodeJS.WriteStream = process.stderr): TrainingOutput {
  let bar: ProgressBar | null = null;
  const say = (message: string): void => (bar ? bar.log(message) : void stream.write(`${message}\n`));
  const skippedByEpoch = new Map<number, number>();
  let skippedList = 'skipped.ndjson';
  let run: Extract<TrainEvent, { status: 'started' }> | null = null;
  const onEvent = (event: TrainEvent): void => {
    switch (event.status) {
      case 'backend': {
        const { selection, threadProbe } = event;
        if (threadProbe !== undefined) {
          const timings = [...threadProbe.secondsPerCall]
            .map(([threads, seconds]) => `${threads}: ${(seconds * 1000).toFixed(0)} ms`)
            .join(', ');
          say(`wasm threads: ${threadProbe.threads} (fastest step on this model; ${timings})`);
        }
        const threads =
          selection.wasmThreads === undefined
            ? ''
            : ` on ${selection.wasmThreads} thread${selection.wasmThreads === 1 ? '' : 's'}`;
        say(`backend: ${selection.name}${threads} (${selection.reason})`);
        for (const warning of selection.warnings) say(`warning: ${warning}`);
        break;
      }
      case 'started': {
        run = event;
        const { record } = event;
        say(
          event.resumed
            ? `resuming ${event.directory} at step ${event.step}, epoch ${event.epoch}`
            : `new run in ${event.directory}`,
        );
        if (event.dedup !== null)
          say(`dedup: ${event.dedup.dropped} of ${event.dedup.items} items dropped by ${event.dedup.report}`);
        say(
          `data: ${event.dataset}; model ${record.size}px x${record.channels}, base width ${record.baseWidth}, batch ${record.batchSize}; ` +
            `${currentThreadPoolSize()} images decoded at once`,
        );
        break;
      }
      case 'step': {
        const { result } = event;
        bar ??= new ProgressBar({ total: event.totalSteps, stream });
        bar.update(
          event.step,
          `D ${result.discriminatorLoss.toFixed(3)} G ${result.generatorLoss.toFixed(3)} ` +
            `D(x) ${result.realScore.toFixed(2)} D(G(z)) ${result.fakeScore.toFixed(2)} | ${result.imagesPerSecond.toFixed(1)} img/s`,
        );
        break;
      }
      case 'quality': {
        const floor =
          event.floor === undefined
            ? ''
            : `; real-vs-real floor FID ${formatScore(event.floor.fid)}, KID ${formatKid(event.floor.kid, event.floor.kidStd)}`;
        say(
          `step ${event.step}: FID ${formatScore(event.fid)}, KID ${formatKid(event.kid, event.kidStd)} (${event.sampleCount} images, ${event.seconds.toFixed(1)} s)${floor}`,
        );
        break;
      }
      case 'skipped': {
        skippedList = event.list;
        const count = (skippedByEpoch.get(event.epoch) ?? 0) + 1;
        skippedByEpoch.set(event.epoch, count);
        if (count <= skippedShown) say(`skipped ${event.key}: ${event.reason}`);
        else if (count === skippedShown + 1) say(`(further skipped items of this epoch: ${event.list})`);
        break;
      }
      case 'epoch-end':
        if (event.report.skippedCount > 0)
          say(
            `epoch ${event.epoch}: skipped ${event.report.skippedCount} unreadable item(s), listed in ${skippedList}`,
          );
        break;
      case 'stopping':
        if (event.reason === 'time-limit')
          say(`time limit of ${run?.record.timeLimitMinutes} min reached at step ${event.step}; saving`);
        break;
      case 'saved-after-error':
        say(
          `stopped by an error at step ${event.step}; checkpoint saved (continue with --resume --out ${run?.directory})`,
        );
        break;
      case 'done':
        bar?.finish();
        break;
      default:
        break;
    }
  };
  return { onEvent, say };
}

/**
 * The lines a finished run prints on stdout: how it ended, speed, and where everything is.
 *
 * @example process.stdout.write(formatTrainingSummary(summary));
 */
export function formatTrainingSummary(summary: TrainSummary): string {
  const ended =
    summary.stopReason === 'aborted' ? 'stopped' : summary.stopReason === 'time-limit' ? 'time limit reached' : 'done';
  const lines = [
    `${ended}: ${summary.completedSteps} steps in ${formatDuration(summary.seconds)} on ${summary.backend.name}`,
    `  ${summary.meanImagesPerSecond.toFixed(1)} images/s while training; waiting for data ${(summary.inputWaitShare * 100).toFixed(1)}% of the time`,
    `  samples:    ${summary.lastSample ?? '(none)'}`,
    `  checkpoint: ${summary.checkpoint}   (continue with --resume --out ${summary.directory})`,
    `  generator:  ${summary.generator}   (tfjs layers format, loads in a browser)`,
    `  metrics:    ${summary.metrics}`,
    `  curves:     ${summary.curves}`,
    `  tensorboard: ${summary.tensorboard} (tensorboard --logdir ${dirname(summary.directory)})`,
  ];
  if (summary.quality?.last != null) {
    const { last, floor, path } = summary.quality;
    const floorText = floor === null ? '' : ` (real-vs-real floor ${formatScore(floor.fid)})`;
    lines.push(
      `  quality:    FID ${formatScore(last.fid)}${floorText}, KID ${formatKid(last.kid, last.kidStd)} at step ${last.step}; all: ${path}`,
    );
  }
  if (summary.skippedItems > 0)
    lines.push(`  skipped ${summary.skippedItems} unreadable item(s): ${summary.skippedList}`);
  return `${lines.join('\n')}\n`;
}

/** A FID (or NaN from a diverged generator) for the terminal. */
function formatScore(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : 'NaN (generator output not finite)';
}

/** KID ± its subset standard deviation. */
function formatKid(kid: number, kidStd: number): string {
  return Number.isFinite(kid) ? `${kid.toFixed(4)} ± ${kidStd.toFixed(4)}` : 'NaN';
}
