import { exitCodes } from './exit-codes';
import { describeError } from './run-main';

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
export function stopOnSignals(say: (message: string) => void, stopping = 'stopping after this step and saving a checkpoint'): SignalStop {
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
  // SIGTERM rather than train on unseen. The channel must not keep this process alive.
  const onParentGone = (): void => (code === null ? onTerminate() : undefined);
  if (process.connected) {
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
 * exit code, or 130 / 143 once a signal came. An error thrown after a signal (a library's "stopped" error) is
 * said as one line instead of failing the run.
 *
 * @example return runStoppable(say, 'stopping after the current batch', (signal) => hashAll({ signal }));
 */
export async function runStoppable(say: (message: string) => void, stopping: string, work: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const stop = stopOnSignals(say, stopping);
  try {
    const code = await work(stop.signal);
    return stop.exitCode() ?? code;
  } catch (error) {
    const code = stop.exitCode();
    if (code === null) throw error;
    say(`stopped: ${describeError(error)}`);
    return code;
  } finally {
    stop.dispose();
  }
}
