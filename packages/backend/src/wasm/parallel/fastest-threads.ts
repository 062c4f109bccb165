import * as tf from '@tensorflow/tfjs-core';

import { BackendError } from '../../errors.js';
import { wasmBackendName } from '../wasm-kernel-toolkit.js';
import { automaticWasmThreads, resolveWasmThreads, setWasmTrainingThreads } from './wasm-training-threads.js';

export interface FastestWasmThreadsOptions {
  /** Thread counts to try. @default [auto, 1] (just [1] on one core) */
  readonly candidates?: readonly number[];
  /** Timed calls of `probe` per thread count and round, after one untimed call. @default 3 */
  readonly repetitions?: number;
  /**
   * Passes over the candidates; each candidate's time is the fastest of its per-round medians. Two rounds keep the
   * first candidate from paying alone for the process's warm-up (code compiled on first use). @default 2
   */
  readonly rounds?: number;
}

/**
 * A probe that keeps its state across the timed calls of one thread count: `setUp` runs (untimed) after each switch
 * of thread count, then one untimed `call`, the timed `call`s, and `tearDown` before the next switch. So a training
 * step can be timed as it runs in training (warm), not with a new model's one-time set-up in every timed call.
 */
export interface WasmThreadsProbe {
  setUp(): unknown;
  call(): unknown;
  tearDown(): unknown;
}

export interface FastestWasmThreads {
  /** The thread count now in use: the one whose median call was fastest. */
  readonly threads: number;
  /** Seconds per `probe` call, by thread count: the fastest of the rounds' medians. */
  readonly secondsPerCall: ReadonlyMap<number, number>;
}

/**
 * Times `probe` (one training step of the model about to be trained, say) on the wasm backend with each
 * candidate thread count and leaves the fastest in use. Threads pay on large layers and lose on small ones,
 * where waking the pool costs more than the work it shares; the break-even depends on the model, the batch
 * and the machine, so this measures instead of guessing.
 *
 * Each thread count restarts the wasm backend (see `setWasmTrainingThreads`): `probe` must make the tensors
 * it needs and free them (a function: in each call; a {@link WasmThreadsProbe}: in `setUp` and `tearDown`), and
 * nothing else may hold tensors on wasm meanwhile. Ties go to fewer threads.
 *
 * @example
 * const { threads } = await fastestWasmThreads(async () => {
 *   const trainer = new Trainer({ config, batchSize, seed: 1 });
 *   const batch = tf.randomUniform([batchSize, size, size, channels], -1, 1) as tf.Tensor4D;
 *   try { await trainer.step(batch); } finally { batch.dispose(); trainer.dispose(); }
 * });
 */
export async function fastestWasmThreads(
  probe: (() => unknown) | WasmThreadsProbe,
  options: FastestWasmThreadsOptions = {},
): Promise<FastestWasmThreads> {
  const { setUp, call, tearDown }: WasmThreadsProbe =
    typeof probe === 'function' ? { setUp: () => undefined, call: probe, tearDown: () => undefined } : probe;
  const candidates = [
    ...new Set((options.candidates ?? [automaticWasmThreads(), 1]).map((threads) => resolveWasmThreads(threads))),
  ];
  const repetitions = options.repetitions ?? 3;
  if (!Number.isInteger(repetitions) || repetitions < 1) {
    throw new BackendError(`Expected \`repetitions\` to be a whole number >= 1, got \`${String(repetitions)}\``);
  }
  const rounds = options.rounds ?? 2;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new BackendError(`Expected \`rounds\` to be a whole number >= 1, got \`${String(rounds)}\``);
  }
  const secondsPerCall = new Map<number, number>();
  for (let round = 0; round < rounds; round++) {
    for (const threads of candidates) {
      await setWasmTrainingThreads(threads);
      if (!(await tf.setBackend(wasmBackendName)))
        throw new BackendError(`The wasm backend failed to start on ${threads} threads.`);
      const seconds: number[] = [];
      await setUp();
      try {
        await call();
        for (let repetition = 0; repetition < repetitions; repetition++) {
          const began = performance.now();
          await call();
          seconds.push((performance.now() - began) / 1000);
        }
      } finally {
        await tearDown();
      }
      seconds.sort((a, b) => a - b);
      const median = seconds[Math.floor((seconds.length - 1) / 2)] as number;
      secondsPerCall.set(threads, Math.min(secondsPerCall.get(threads) ?? Number.POSITIVE_INFINITY, median));
    }
  }
  let best = candidates[0] as number;
  for (const threads of candidates) {
    const time = secondsPerCall.get(threads) as number;
    const bestTime = secondsPerCall.get(best) as number;
    if (time < bestTime || (time === bestTime && threads < best)) best = threads;
  }
  await setWasmTrainingThreads(best);
  await tf.setBackend(wasmBackendName);
  return { threads: best, secondsPerCall };
}
