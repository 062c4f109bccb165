import { availableParallelism } from 'node:os';

/**
 * How many images sharp decodes at once in this process: libuv's thread pool size, read from
 * `UV_THREADPOOL_SIZE` when the pool starts (before any user code of an ES module runs, so it cannot be changed
 * from inside) and 4 by default.
 */
export function currentThreadPoolSize(): number {
  const configured = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(configured) && configured >= 1 ? Math.min(1024, configured) : 4;
}

/**
 * The pool size to start a training process with: one thread per core, at least libuv's default 4, unless the
 * user chose one. On a many-core training machine 4 would cap decoding of non-JPEG data (LSUN's WebP, PNG folders).
 */
export function trainingThreadPoolSize(): string {
  const configured = process.env.UV_THREADPOOL_SIZE;
  return configured !== undefined && configured !== '' ? configured : String(Math.max(4, availableParallelism()));
}
