import { promises as fs } from 'node:fs';

import { writeFileAtomic } from '@dcgan/data';

import { TrainError } from '../errors/train-error';
import { MetricsCollector, readMetricsFile } from '../metrics/metrics-record';
import { renderCurvesPng, type CurvesOptions } from './draw-curves';

/** What {@link writeCurvesFile} or {@link CurvesWriter.refresh} wrote. */
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
 * file, then a rename), so a viewer or a crash never sees half a picture. A missing metrics file is a
 * {@link TrainError}. In a training loop, use {@link createCurvesWriter}, which reads only what was appended.
 *
 * @example
 * await writeCurvesFile('runs/mnist/metrics.ndjson', 'runs/mnist/curves.png');
 */
export async function writeCurvesFile(
  metricsPath: string,
  outputPath: string,
  options: CurvesOptions = {},
): Promise<WrittenCurves> {
  const { records, skipped } = await readMetricsFile(metricsPath);
  await writeFileAtomic(outputPath, await renderCurvesPng(records, options));
  return { path: outputPath, steps: records.length, skipped };
}

/** Redraws curves.png from a metrics file that grows; see {@link createCurvesWriter}. */
export interface CurvesWriter {
  /** The PNG file. */
  readonly path: string;
  /**
   * Reads the lines appended to the metrics file since the last call (all of it the first time; again from the
   * start if the file was replaced or truncated) and rewrites the PNG atomically. A metrics file that does not
   * exist yet counts as empty (a run writes its step-0 samples before any metrics); a line still being written
   * (no newline yet) waits for the next call.
   */
  refresh(): Promise<WrittenCurves>;
}

/**
 * A {@link CurvesWriter} for `metricsPath` -> `outputPath`. Parsed records are kept between refreshes (the
 * fields curves use, about 100 bytes a step), so a refresh reads and parses only new lines: refreshing with
 * the samples stays cheap in runs of 100,000 steps.
 *
 * @example
 * const curves = createCurvesWriter('runs/mnist/metrics.ndjson', 'runs/mnist/curves.png');
 * if (step % sampleEvery === 0) await curves.refresh();
 */
export function createCurvesWriter(metricsPath: string, outputPath: string, options: CurvesOptions = {}): CurvesWriter {
  let collector = new MetricsCollector();
  let offset = 0;
  let identity: string | null = null;
  const readAppended = async (): Promise<void> => {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(metricsPath, 'r');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return;
      throw new TrainError(`${metricsPath}: cannot read the metrics file: ${(error as Error).message}`, {
        cause: error,
        file: metricsPath,
      });
    }
    try {
      const stat = await handle.stat();
      const fileIdentity = `${stat.dev}:${stat.ino}`;
      if (fileIdentity !== identity || stat.size < offset) {
        collector = new MetricsCollector();
        offset = 0;
        identity = fileIdentity;
      }
      if (stat.size === offset) return;
      const bytes = Buffer.alloc(stat.size - offset);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset);
      const end = bytes.subarray(0, bytesRead).lastIndexOf(0x0a) + 1; // whole lines only
      if (end === 0) return;
      collector.addLines(bytes.subarray(0, end).toString('utf8'));
      offset += end;
    } catch (error) {
      throw new TrainError(`${metricsPath}: cannot read the metrics file: ${(error as Error).message}`, {
        cause: error,
        file: metricsPath,
      });
    } finally {
      await handle.close();
    }
  };
  return {
    path: outputPath,
    async refresh() {
      await readAppended();
      const records = collector.records();
      await writeFileAtomic(outputPath, await renderCurvesPng(records, options));
      return { path: outputPath, steps: records.length, skipped: collector.skipped() };
    },
  };
}
