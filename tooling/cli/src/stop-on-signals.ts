import { exitCodes } from './exit-codes';
import { describeError } from './run-main';
import { reexecMarker } from './thread-pool-size';

export interface SignalStop {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** 130 or 143 once a signal came, else `null`. */
  exitCode(): number | null;
  /** Stops listening. */
  dispose(): void;
}

/**
 * Turns SIGINT / SIGTERM into an AbortSignal, so a training run stops after its current step with a checkpoint;
 * a second signal exits at once (the last checkpoint is on disk). `say` tells the user what happens: `<SIGNAL>:
 * <stopping> (send it again to quit at once)`.
 *
 * @example const stop = stopOnSignals((message) => console.error(message)); await train(options, { signal: stop.signal });
 */
export function stopOnSignals(
  say: (message: string) => void,
  stopping = 'stopping after this step and saving a checkpoint',
): SignalStop {
  const controller = new AbortController();
  let code: number | null = null;
  const handle = (name: 'SIGINT' | 'SIGTERM') => (): void => {
    if (code !== null) process.exit(code);
    code = exitCodes[name];
    say(`${name}: ${stopping} (send it again to quit at once)`);
    controller.abort();
  };
  const onInterrupt = handle('SIGINT');
  const onTerminate = handle('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  // Started by reexecWithThreadPool: the IPC channel closes when that parent dies (even by SIGKILL); stop as on
  // SIGTERM rather than train on unseen. The channel must not keep this process alive. (Other parents' channels,
  // such as a test runner's, are left alone.)
  const onParentGone = (): void => (code === null ? onTerminate() : undefined);
  if (process.connected && process.env[reexecMarker] === '1') {
    process.channel?.unref();
    process.on('disconnect', onParentGone);
  }
  return {
    signal: controller.signal,
    exitCode: () => code,
    dispose: () => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      process.off('disconnect', onParentGone);
    },
  };
}

/**
 * Runs `work` with an AbortSignal that SIGINT / SIGTERM abort (see {@link stopOnSignals}); resolves with work's
 * exit code, or 130 / 143 once a signal came (see {@link stoppedBy} for an error thrown after it).
 *
 * @example return runStoppable(say, 'stopping after the current batch', (signal) => hashAll({ signal }));
 */
export async function runStoppable(
  say: (message: string) => void,
  stopping: string,
  work: (signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const stop = stopOnSignals(say, stopping);
  try {
    const code = await work(stop.signal);
    return stop.exitCode() ?? code;
  } catch (error) {
    return stoppedBy(stop, error, say);
  } finally {
    stop.dispose();
  }
}

/**
 * For an error thrown by work that `stop` aborted (a library's "stopped" error): says it as one line and gives the
 * signal's exit code. Any other error is thrown again.
 */
export function stoppedBy(stop: SignalStop, error: unknown, say: (message: string) => void): number {
  const code = stop.exitCode();
  if (code === null) throw error;
  say(`stopped: ${describeError(error)}`);
  return code;
}
