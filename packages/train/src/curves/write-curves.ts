import { writeFileAtomic } from '@dcgan/data';

import { readMetricsFile } from '../metrics/metrics-record';
import { renderCurvesPng, type CurvesOptions } from './draw-curves';

/** What {@link writeCurvesFile} wrote. */
export interface WrittenCurves {
  /** The PNG file. */
  readonly path: string;
  /** Steps drawn. */
  readonly steps: number;
  /** Lines of the metrics file that were not records (see `readMetricsFile`), 1-based, with the reason. */
  readonly skipped: readonly { readonly line: number; readonly reason: string }[];
}

/**
 * Reads `metrics.ndjson` and writes its curves (see {@link drawCurves}) to `outputPath` atomically (a temporary
 * file, then a rename), so a viewer or a crash never sees half a picture. Call it whenever samples are written.
 *
 * @example
 * await writeCurvesFile('runs/mnist/metrics.ndjson', 'runs/mnist/curves.png');
 */
export async function writeCurvesFile(metricsPath: string, outputPath: string, options: CurvesOptions = {}): Promise<WrittenCurves> {
  const { records, skipped } = await readMetricsFile(metricsPath);
  await writeFileAtomic(outputPath, await renderCurvesPng(records, options));
  return { path: outputPath, steps: records.length, skipped };
}
