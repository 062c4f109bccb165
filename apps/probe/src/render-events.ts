import { ProgressBar } from '@dcgan/cli';
import type { ProbeEvent } from '@dcgan/probe';

/** Turns probe events into progress bars and log lines on stderr. */
export function createEventRenderer(log: (line: string) => void): {
  readonly onEvent: (event: ProbeEvent) => void;
  readonly finish: () => void;
} {
  let bar: ProgressBar | undefined;
  let barKey = '';
  const show = (key: string, total: number | undefined, label: string, value: number, status: string) => {
    if (bar === undefined || barKey !== key) {
      bar?.finish();
      bar = new ProgressBar({ total, label });
      barKey = key;
    }
    bar.update(value, status);
  };
  const line = (text: string) => {
    bar?.finish();
    bar = undefined;
    barKey = '';
    log(text);
  };
  const percent = (value: number) => `${(100 * value).toFixed(2)}%`;
  return {
    onEvent: (event) => {
      switch (event.status) {
        case 'method-start':
          line(`[${event.index + 1}/${event.methodCount}] ${event.method} (${event.kind})`);
          break;
        case 'features': {
          const inner = event.event;
          if (inner.status === 'statistics-progress')
            show(`${event.method}/statistics`, inner.total, '  batch-norm statistics', inner.images, '');
          else if (inner.status === 'extract-progress')
            show(
              `${event.method}/${event.split}`,
              inner.total,
              `  ${event.split} features`,
              inner.items,
              `${inner.imagesPerSecond.toFixed(0)} img/s`,
            );
          else if (inner.status === 'resumed')
            line(`  resuming ${event.split} features from ${inner.directory} (${inner.items} images done)`);
          else if (inner.status === 'skipped') line(`  skipped ${inner.key}: ${inner.reason}`);
          else if (inner.status === 'statistics-done')
            line(
              `  batch-norm statistics from ${inner.images} images in ${inner.batches} batches (${inner.seconds.toFixed(0)} s)`,
            );
          else if (inner.status === 'extract-done')
            line(
              `  ${event.split} features: ${inner.rows} rows${inner.skipped > 0 ? `, ${inner.skipped} skipped` : ''} (${inner.seconds.toFixed(0)} s)`,
            );
          break;
        }
        case 'svm':
          if (event.event.status === 'classifier-done') {
            show(
              `${event.method}/${event.phase}/${event.draw}/${event.cost}`,
              event.event.classifierCount,
              `  SVM ${event.phase} draw ${event.draw + 1} C=${event.cost}`,
              event.event.classifier + 1,
              `${event.event.iterations} passes`,
            );
          }
          break;
        case 'cost-evaluated':
          break;
        case 'cost-selected':
          line(`  C = ${event.cost} (mean validation error ${percent(event.meanValidationError)})`);
          break;
        case 'supervised-epoch':
          show(
            `${event.method}/${event.draw}`,
            undefined,
            `  supervised draw ${event.draw + 1}`,
            event.epoch,
            `epoch ${event.epoch} loss ${event.loss.toFixed(3)} validation error ${percent(event.validationError)}`,
          );
          break;
        case 'supervised-trial':
          line(
            `  search trial ${event.trial.trial + 1}/${event.trials}: learning rate ${event.trial.learningRate.toExponential(2)}, batch ${event.trial.batchSize}: ` +
              `validation error ${percent(event.trial.validationError)} (epoch ${event.trial.bestEpoch})`,
          );
          break;
        case 'draw-done':
          line(
            `  draw ${event.draw + 1}/${event.draws}: test error ${percent(event.testError)} (validation ${percent(event.validationError)})`,
          );
          break;
        case 'method-done':
          line(
            `  ${event.method}: ${percent(event.result.meanTestError)} ± ${percent(event.result.testErrorStandardDeviation)} over ${event.result.testErrors.length} draws (${event.result.seconds.toFixed(0)} s)`,
          );
          break;
      }
    },
    finish: () => bar?.finish(),
  };
}
