import { appendFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Trainer, TrainerStepResult } from '@dcgan/core';
import { writeFileAtomic, type DataEvent } from '@dcgan/data';

import { createCurvesWriter, type CurvesWriter } from './curves/write-curves';
import type { QualityRecord } from './quality';
import { truncateLogAfterStep } from './run-directory';
import { createEventFileWriter, type EventFileWriter } from './tensorboard/event-file-writer';
import { sampleImageTag, trainingScalars } from './tensorboard/training-scalars';
import type { TrainEvent } from './train-events';

/**
 * What a run writes while it trains, in one place: per-step metrics (metrics.ndjson, and the same scalars in a
 * TensorBoard event file in the run folder), fixed-noise sample grids (samples/step-NNNNNN.png, also as
 * TensorBoard images), curves.png (losses and D outputs, redrawn with each grid) and the skipped-item list
 * (skipped.ndjson), each also sent as an event.
 */
export class RunOutputs {
  readonly skippedPath: string;
  readonly curvesPath: string;
  lastSample: string | null = null;

  private constructor(
    readonly directory: string,
    readonly metricsPath: string,
    private readonly emit: (event: TrainEvent) => void,
    private readonly events: EventFileWriter,
    private readonly curves: CurvesWriter,
  ) {
    this.skippedPath = join(directory, 'skipped.ndjson');
    this.curvesPath = curves.path;
  }

  /**
   * Opens a new TensorBoard event file in `directory` (`tensorboard --logdir runs` lists each run). A resumed run
   * (`resumedAtStep` set) first drops the metrics lines past its checkpoint's step (those steps are trained again)
   * and marks the restart in the event file, so TensorBoard too drops what the crashed session trained past it.
   */
  static async open(
    directory: string,
    emit: (event: TrainEvent) => void,
    resumedAtStep: number | null,
  ): Promise<RunOutputs> {
    const metricsPath = join(directory, 'metrics.ndjson');
    if (resumedAtStep !== null) await truncateLogAfterStep(metricsPath, resumedAtStep);
    const events = await createEventFileWriter(directory);
    if (resumedAtStep !== null) await events.addRestart(resumedAtStep);
    return new RunOutputs(
      directory,
      metricsPath,
      emit,
      events,
      createCurvesWriter(metricsPath, join(directory, 'curves.png')),
    );
  }

  /** The TensorBoard event file this session writes. */
  get eventFile(): string {
    return this.events.path;
  }

  /** One finished step: a metrics line and its TensorBoard scalars, then the `step` event. */
  async step(result: TrainerStepResult, totalSteps: number): Promise<void> {
    await appendFile(this.metricsPath, `${JSON.stringify({ time: new Date().toISOString(), ...result })}\n`);
    await this.events.addScalars(result.step, trainingScalars(result));
    this.emit({ status: 'step', step: result.step, totalSteps, result });
  }

  /** The fixed-noise grid at the trainer's step: a PNG (the same bytes in TensorBoard), curves.png redrawn, then the `sample` event. */
  async sample(trainer: Trainer): Promise<void> {
    const grid = await trainer.sample({ columns: 8 });
    const path = join(this.directory, 'samples', `step-${String(trainer.completedSteps).padStart(6, '0')}.png`);
    await writeFileAtomic(path, await this.events.addRawImage(sampleImageTag, trainer.completedSteps, grid));
    await this.curves.refresh();
    this.lastSample = path;
    this.emit({ status: 'sample', step: trainer.completedSteps, path, grid });
  }

  /**
   * A FID/KID evaluation as TensorBoard scalars (`quality/fid`, `quality/kid`; the real-vs-real floor as
   * `quality/fid_floor` and `quality/kid_floor` when the evaluation carries it). NaN (a diverged G) is written as is.
   */
  async quality(record: QualityRecord): Promise<void> {
    await this.events.addScalars(record.step, {
      'quality/fid': record.fid,
      'quality/kid': record.kid,
      ...(record.floor === undefined
        ? {}
        : { 'quality/fid_floor': record.floor.fid, 'quality/kid_floor': record.floor.kid }),
    });
  }

  /** Forces the event file to disk (with each checkpoint). */
  flush(): Promise<void> {
    return this.events.flush();
  }

  /** Closes the event file; harmless twice. */
  close(): Promise<void> {
    return this.events.close();
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
    appendFileSync(
      this.skippedPath,
      `${JSON.stringify({ epoch: event.epoch, key: event.key, reason: event.reason })}\n`,
    );
    this.emit({ status: 'skipped', epoch: event.epoch, key: event.key, reason: event.reason, list: this.skippedPath });
  };
}
