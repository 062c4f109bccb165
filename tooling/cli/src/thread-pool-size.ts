import { spawn } from 'node:child_process';
import { availableParallelism, constants } from 'node:os';

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

/** Set in the environment of the child {@link reexecWithThreadPool} starts (its IPC channel is the parent's life). */
export const reexecMarker = 'DCGAN_THREAD_POOL_CHILD';

/**
 * Re-executes this script once with `UV_THREADPOOL_SIZE` set to {@link trainingThreadPoolSize} (libuv reads it
 * only at start-up) and resolves with the child's exit code; resolves `null` in the child, or when the size is
 * already set, and the caller carries on. The child runs in its own process group, so a Ctrl-C reaches it once,
 * forwarded by this process (as SIGINT and SIGTERM are), and it stops by itself if this process is killed.
 *
 * @example const code = await reexecWithThreadPool(); if (code !== null) { process.exitCode = code; return; }
 */
export function reexecWithThreadPool(): Promise<number | null> {
  const wanted = trainingThreadPoolSize();
  if (process.env.UV_THREADPOOL_SIZE === wanted) return Promise.resolve(null);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, UV_THREADPOOL_SIZE: wanted, [reexecMarker]: '1' },
    detached: true,
  });
  const forward = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
  };
  const onInterrupt = forward('SIGINT');
  const onTerminate = forward('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  return new Promise((resolve, reject) => {
    const done = (): void => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}
