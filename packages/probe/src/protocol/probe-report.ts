import type { SupervisedTrial } from '../baselines/supervised-search';
/** Mean validation error of one C over the selection draws. */
export interface CostSearchEntry {
  readonly cost: number;
  readonly meanValidationError: number;
  readonly validationErrors: readonly number[];
}

/** What one method (a representation + SVM, or the supervised baseline) scored. */
export interface ProbeMethodResult {
  readonly name: string;
  readonly kind: 'discriminator' | 'pixels' | 'extractor' | 'supervised';
  /** What the method is, in words. */
  readonly description: string;
  /** Features per image (SVM methods). */
  readonly dimension?: number;
  /** The C chosen on the validation split (SVM methods). */
  readonly cost?: number;
  readonly costSearch?: readonly CostSearchEntry[];
  /** Test error of each draw (fraction). */
  readonly testErrors: readonly number[];
  readonly validationErrors: readonly number[];
  readonly meanTestError: number;
  /** Standard deviation of the test error over draws (numpy's default, divided by n, as the authors). */
  readonly testErrorStandardDeviation: number;
  /** Binary SVMs that hit `maxIterations` before converging, over all draws and C. */
  readonly unconvergedClassifiers?: number;
  /** Supervised baseline: the epoch kept (best validation error), per draw. */
  readonly bestEpochs?: readonly number[];
  /**
   * Supervised baseline with `trials` > 1: the random search over settings on the validation split (run on
   * draw 0), every trial and the chosen one, whose settings then train every draw.
   */
  readonly supervisedSearch?: { readonly trials: readonly SupervisedTrial[]; readonly chosen: SupervisedTrial };
  readonly seconds: number;
}

/** The whole comparison, as written to JSON by the apps. */
export interface ProbeReport {
  readonly dataset: string;
  readonly protocol: {
    /** Labelled images per class in each draw; `null`: the whole training pool (CIFAR-10 protocol). */
    readonly labelsPerClass: number | null;
    readonly draws: number;
    readonly selectionDraws: number;
    readonly trainImages: number;
    readonly poolImages: number;
    readonly validationImages: number;
    readonly testImages: number;
    readonly costs: readonly number[];
    readonly standardize: boolean;
    readonly seed: number;
    readonly skippedTrain: number;
    readonly skippedTest: number;
  };
  readonly methods: readonly ProbeMethodResult[];
  readonly started: string;
  readonly seconds: number;
}

/** Mean and standard deviation (divided by n) of some numbers. */
export function meanAndDeviation(values: readonly number[]): { readonly mean: number; readonly deviation: number } {
  if (values.length === 0) return { mean: Number.NaN, deviation: Number.NaN };
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, deviation: Math.sqrt(variance) };
}

/**
 * The report as a Markdown table: test error (mean ± standard deviation over draws, in %), draws,
 * chosen C and feature dimension per method.
 *
 * @example
 * ```ts
 * console.log(formatProbeTable(report));
 * ```
 */
export function formatProbeTable(report: ProbeReport): string {
  const { protocol } = report;
  const labels =
    protocol.labelsPerClass === null
      ? `all ${protocol.poolImages} training labels`
      : `${protocol.labelsPerClass} labels per class`;
  const header = ['method', 'test error %', 'draws', 'C', 'features', 'description'];
  const rows = report.methods.map((method) => [
    method.name,
    `${(100 * method.meanTestError).toFixed(2)} ± ${(100 * method.testErrorStandardDeviation).toFixed(2)}`,
    String(method.testErrors.length),
    method.cost === undefined ? '-' : formatCost(method.cost),
    method.dimension === undefined ? '-' : String(method.dimension),
    method.description,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    `${report.dataset}: ${labels}, ${protocol.validationImages} validation and ${protocol.testImages} test images; error is mean ± standard deviation over draws`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    ...report.methods.flatMap((method) =>
      method.supervisedSearch === undefined ? [] : ['', formatSearchTable(method)],
    ),
  ].join('\n');
}

/** The random search of a supervised method: one row per trial, best validation error first. */
function formatSearchTable(method: ProbeMethodResult): string {
  const { trials, chosen } = method.supervisedSearch!;
  const header = ['trial', 'learning rate', 'batch size', 'validation error %', 'best epoch'];
  const rows = [...trials]
    .sort((a, b) => a.validationError - b.validationError || a.trial - b.trial)
    .map((trial) => [
      `${trial.trial}${trial.trial === chosen.trial ? ' (chosen)' : ''}`,
      trial.learningRate.toExponential(2),
      String(trial.batchSize),
      (100 * trial.validationError).toFixed(2),
      String(trial.bestEpoch),
    ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  const testErrors = method.testErrors.map((error) => (100 * error).toFixed(2)).join(', ');
  return [
    `${method.name}: random search over ${trials.length} trials on the validation split (draw 0's labels); chosen: learning rate ` +
      `${chosen.learningRate.toExponential(2)}, batch size ${chosen.batchSize}, validation error ${(100 * chosen.validationError).toFixed(2)}%; ` +
      `test error per draw with these settings: ${testErrors}%`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ].join('\n');
}

function formatCost(cost: number): string {
  return cost >= 0.01 && cost < 1000 ? String(Number(cost.toPrecision(3))) : cost.toExponential(1);
}
