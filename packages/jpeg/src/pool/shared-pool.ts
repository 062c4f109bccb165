import { availableParallelism } from 'node:os';

import { JpegWorkerPool, type JpegWorkerStats } from './jpeg-worker-pool';

/** Options of the JPEG fast path; see {@link configureJpegDecoding}. */
export interface JpegDecodingOptions {
  /**
   * Decode sequential and progressive JPEGs with the DCT-domain decoder on worker threads when a transform starts
   * with a resize (several times cheaper than a full decode). Other images, and JPEGs it declines, go to sharp.
   * @default true
   */
  readonly fastPath?: boolean;
  /** Worker threads of the fast path. @default availableParallelism(), at most 8 */
  readonly workers?: number;
}

let options: Required<JpegDecodingOptions> = { fastPath: true, workers: Math.min(8, availableParallelism()) };
let pool: JpegWorkerPool | undefined;

/**
 * Turns the JPEG fast path on or off, or sizes its worker pool (existing workers are stopped).
 *
 * @example
 * configureJpegDecoding({ fastPath: false }); // every image through sharp (libvips), as in @dcgan/data 0.1
 */
export async function configureJpegDecoding(next: JpegDecodingOptions): Promise<void> {
  const workers = next.workers ?? options.workers;
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`Expected \`workers\` to be a positive integer, got \`${workers}\``);
  options = { fastPath: next.fastPath ?? options.fastPath, workers };
  const previous = pool;
  pool = undefined;
  await previous?.close();
}

/** The shared pool (the one @dcgan/data's transforms use), started on first use; undefined when the fast path is off. */
export function jpegWorkerPool(): JpegWorkerPool | undefined {
  if (!options.fastPath) return undefined;
  pool ??= new JpegWorkerPool(options.workers);
  return pool;
}

/** Counters of the shared pool since it started (zeros when it has not). */
export function jpegDecodingStats(): JpegWorkerStats {
  return pool?.stats ?? { decoded: 0, declined: {} };
}
