import { appendFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Trainer, TrainerStepResult } from '@dcgan/core';
import { writePng, type DataEvent } from '@dcgan/data';

import type { TrainEvent } from './train-events';

/**
 * What a run writes while it trains, in one place: per-step metrics (metrics.ndjson), fixed-noise sample grids
 * (samples/step-NNNNNN.png) and the skipped-item list (skipped.ndjson), each also sent as an event. A writer of
 * other formats (TensorBoard event files, a curves picture) hooks in at {@link RunOutputs.step} and
 * {@link RunOutputs.sample}.
 */
export class RunOutputs {
  readonly metricsPath: string;
  readonly skippedPath: string;
  lastSample: string | null = null;

  constructor(
    readonly directory: string,
    private readonly emit: (event: TrainEvent) => void,
  ) {
    this.metricsPath = join(directory, 'metrics.ndjson');
    this.skippedPath = join(directory, 'skipped.ndjson');
  }

  /** One finished step: a metrics line, then the `step` event. */
  async step(result: TrainerStepResult, totalSteps: number): Promise<void> {
    await appendFile(this.metricsPath, `${JSON.stringify({ time: new Date().toISOString(), ...result })}\n`);
    this.emit({ status: 'step', step: result.step, totalSteps, result });
  }

  /** The fixed-noise grid at the trainer's step: a PNG, then the `sample` event. */
  async sample(trainer: Trainer): Promise<void> {
    const grid = await trainer.sample({ columns: 8 });
    const path = join(this.directory, 'samples', `step-${String(trainer.completedSteps).padStart(6, '0')}.png`);
    await writePng(path, grid);
    this.lastSample = path;
    this.emit({ status: 'sample', step: trainer.completedSteps, path, grid });
  }

  /** Whether the last grid written is the one of `step`. */
  hasSampleOf(step: number): boolean {
    return this.lastSample?.endsWith(`step-${String(step).padStart(6, '0')}.png`) ?? false;
  }

  /**
   * The data stream's listener: an unreadable item is listed at once (synchronously, so a run stopped mid-epoch
   * still has its list), then sent as a `skipped` event.
   */
  readonly onDataEvent = (event: DataEvent): void => {
    if (event.status !== 'skipped') return;
    appendFileSync(this.skippedPath, `${JSON.stringify({ epoch: event.epoch, key: event.key, reason: event.reason })}\n`);
    this.emit({ status: 'skipped', epoch: event.epoch, key: event.key, reason: event.reason, list: this.skippedPath });
  };
}
