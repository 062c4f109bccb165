import { exitCodes } from './run-main';

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
 * a second signal exits at once (the last checkpoint is on disk). `say` tells the user what happens.
 *
 * @example const stop = stopOnSignals((message) => console.error(message)); await train(options, { signal: stop.signal });
 */
export function stopOnSignals(say: (message: string) => void): SignalStop {
  const controller = new AbortController();
  let code: number | null = null;
  const handle = (name: 'SIGINT' | 'SIGTERM') => (): void => {
    if (code !== null) process.exit(code);
    code = exitCodes[name];
    say(`${name}: stopping after this step and saving a checkpoint (send it again to quit at once)`);
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
