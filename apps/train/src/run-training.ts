import { appendFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { initBackend, type BackendSelection } from '@dcgan/backend';
import { Trainer, type TrainerStepResult } from '@dcgan/core';
import { exportGenerator, loadCheckpoint, readCheckpointInfo, saveCheckpoint } from '@dcgan/core/node';
import { batchToTensor, createBatches, writePng, type DataEvent, type EpochReport } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';

import { UsageError, type TrainArguments } from './arguments.js';
import { deduplicateDataset } from './deduplicate-dataset.js';
import { openDataset } from './open-dataset.js';
import {
  assertRunDirectoryFree,
  createRunDirectory,
  dataPositionAt,
  epochStartStep,
  readRunRecord,
  recordDataPosition,
  recordEpochStart,
  type RunRecord,
} from './run-directory.js';

/** What the training loop tells the terminal; the CLI draws it. */
export interface TrainingView {
  info(message: string): void;
  progress(step: number, totalSteps: number, result: TrainerStepResult): void;
  finish(): void;
}

export interface TrainingSummary {
  readonly directory: string;
  readonly backend: BackendSelection;
  readonly completedSteps: number;
  readonly lastSample: string | null;
  readonly checkpoint: string;
  readonly generator: string;
  readonly seconds: number;
  /** Share of wall time spent waiting for the data pipeline (0..1). */
  readonly inputWaitShare: number;
  readonly meanImagesPerSecond: number;
  /** Stopped by Ctrl-C / SIGTERM. */
  readonly interrupted: boolean;
  /** Stopped because `--time-limit` ran out (a normal end). */
  readonly stoppedByTimeLimit: boolean;
  readonly skippedItems: number;
}

/**
 * Trains (or resumes) a run: batches from the dataset, one Trainer.step each, NDJSON metrics, fixed-noise
 * sample grids, atomic checkpoints (periodic, final, and on SIGINT/SIGTERM), and a browser-loadable generator.
 */
export async function runTraining(options: TrainArguments, view: TrainingView): Promise<TrainingSummary> {
  const started = performance.now();
  const directory = resolve(options.out ?? join('runs', `${options.quickstart ? 'quickstart' : 'dcgan'}-${timestamp()}`));
  const checkpointDirectory = join(directory, 'checkpoint');

  let record: RunRecord;
  if (options.resume) {
    record = await readRunRecord(directory);
    const recorded = record.dedupReport ?? null;
    if (options.dedupReport !== null && resolve(options.dedupReport) !== recorded) {
      throw new UsageError(
        `Cannot resume ${directory} with \`--dedup-report ${options.dedupReport}\`: the run was made ` +
          (recorded === null ? 'without a dedup report' : `with ${recorded}`) +
          ' and --resume uses its data as recorded; drop --dedup-report',
      );
    }
  } else {
    record = {
      version: 1,
      createdAt: new Date().toISOString(),
      name: options.quickstart ? 'quickstart' : 'dcgan',
      data: options.data === null ? null : resolve(options.data),
      format: options.quickstart ? 'mnist-package' : (options.format ?? 'auto'),
      ...(options.dedupReport === null ? {} : { dedupReport: resolve(options.dedupReport) }),
      size: options.size,
      channels: options.channels,
      baseWidth: options.baseWidth,
      kernelSize: options.kernelSize,
      batchSize: options.batchSize,
      seed: options.seed,
    };
  }
  // Open the data before anything is written, so a wrong path leaves nothing behind.
  let dataset = await openDataset(
    record.data,
    record.format === 'auto' ? null : (record.format as never),
    record.size,
    record.channels,
  );
  // A report that is malformed or made from another source fails here too, before anything is written.
  let dedupLine: string | null = null;
  if (record.dedupReport !== undefined) {
    // The data-loss guard; a resumed run accepted its report when it started.
    const deduplicated = await deduplicateDataset(dataset, record.dedupReport, options.acceptDedupDrop || options.resume);
    dataset = deduplicated.dataset;
    dedupLine = `dedup: ${deduplicated.dropped} of ${deduplicated.items} items dropped by ${record.dedupReport}`;
  }
  if (options.resume) await readCheckpointInfo(checkpointDirectory); // a corrupt checkpoint fails before any work
  else await assertRunDirectoryFree(directory);
  const backend = await initBackend({ prefer: options.backend });
  view.info(`backend: ${backend.name} (${backend.reason})`);
  for (const warning of backend.warnings) view.info(`warning: ${warning}`);

  let trainer: Trainer;
  if (options.resume) {
    trainer = await loadCheckpoint(checkpointDirectory, {
      expectedConfig: modelConfig(record),
    });
    view.info(`resuming ${directory} at step ${trainer.completedSteps}, epoch ${trainer.epoch}`);
  } else {
    trainer = new Trainer({
      config: modelConfig(record),
      batchSize: record.batchSize,
      seed: record.seed,
    });
    await createRunDirectory(directory, record);
    view.info(`new run in ${directory}`);
  }
  if (dedupLine !== null) view.info(dedupLine);
  view.info(`data: ${dataset.description}; model ${record.size}px x${record.channels}, base width ${record.baseWidth}, batch ${record.batchSize}`);

  const metricsPath = join(directory, 'metrics.ndjson');
  await mkdir(join(directory, 'samples'), { recursive: true });
  let stopRequested = false;
  const requestStop = () => {
    if (stopRequested) process.exit(130); // a second Ctrl-C: the last checkpoint is on disk
    stopRequested = true;
    view.info('stopping after this step; saving a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', requestStop);
  process.on('SIGTERM', requestStop);

  let lastSample: string | null = null;
  const writeSample = async () => {
    const grid = await trainer.sample({ columns: 8 });
    const path = join(directory, 'samples', `step-${String(trainer.completedSteps).padStart(6, '0')}.png`);
    await writePng(path, grid);
    lastSample = path;
  };
  let dataPosition = 0; // end position, in this epoch's order, of the last batch trained on
  let checkpointedStep = options.resume ? trainer.completedSteps : -1;
  const checkpoint = async () => {
    await recordDataPosition(directory, trainer.completedSteps, trainer.epoch, dataPosition);
    await saveCheckpoint(checkpointDirectory, trainer);
    checkpointedStep = trainer.completedSteps;
  };
  // Unreadable items are listed as they are met (a run stopped mid-epoch still has its list), and echoed to the
  // terminal, the first 20 of each epoch.
  const skippedPath = join(directory, 'skipped.ndjson');
  let skippedThisEpoch = 0;
  const onDataEvent = (event: DataEvent): void => {
    if (event.status !== 'skipped') return;
    skippedThisEpoch += 1;
    appendFileSync(skippedPath, `${JSON.stringify({ epoch: event.epoch, key: event.key, reason: event.reason })}\n`);
    if (skippedThisEpoch <= 20) view.info(`skipped ${event.key}: ${event.reason}`);
    else if (skippedThisEpoch === 21) view.info(`(further skipped items of this epoch: ${skippedPath})`);
  };

  let waitSeconds = 0;
  let stepSeconds = 0;
  let trainedImages = 0;
  let skippedItems = 0;
  const totalSteps = options.steps;
  const deadline = options.timeLimitMinutes === null ? null : performance.now() + options.timeLimitMinutes * 60_000;
  let stoppedByTimeLimit = false;
  try {
    if (!options.resume) await writeSample(); // step 0: what untrained noise looks like
    let resuming = options.resume;
    while (trainer.completedSteps < totalSteps && !stopRequested) {
      const epoch = trainer.epoch;
      // Where this epoch's stream starts: its beginning, or on resume the recorded position (else skip batches).
      // Only the first epoch after a resume starts mid-way; later epochs start at their beginning.
      let startPosition = 0;
      let skipBatches = 0;
      if (resuming) {
        resuming = false;
        const recorded = await dataPositionAt(directory, trainer.completedSteps, epoch);
        const epochStart = recorded === null ? await epochStartStep(directory, epoch) : null;
        if (recorded !== null) startPosition = recorded;
        else if (epochStart !== null) skipBatches = trainer.completedSteps - epochStart;
      }
      if (startPosition === 0 && skipBatches === 0) await recordEpochStart(directory, epoch, trainer.completedSteps);
      const batches = createBatches(dataset.source, {
        batchSize: record.batchSize,
        seed: record.seed,
        epoch,
        startPosition,
        transform: dataset.transform,
        strict: options.strict,
        onEvent: onDataEvent,
      });
      skippedThisEpoch = 0;
      dataPosition = startPosition;
      let batchIndex = 0;
      let waitStarted = performance.now();
      for await (const batch of batches) {
        if (batchIndex++ < skipBatches) {
          waitStarted = performance.now();
          continue;
        }
        const stepStarted = performance.now();
        dataPosition = batch.endPosition;
        waitSeconds += (stepStarted - waitStarted) / 1000;
        const images = batchToTensor(tf, batch);
        let result: TrainerStepResult;
        try {
          result = await trainer.step(images);
        } finally {
          images.dispose();
        }
        stepSeconds += (performance.now() - stepStarted) / 1000;
        trainedImages += batch.shape[0];
        await appendFile(metricsPath, `${JSON.stringify({ time: new Date().toISOString(), ...result })}\n`);
        view.progress(trainer.completedSteps, totalSteps, result);
        if (trainer.completedSteps % options.sampleEvery === 0) await writeSample();
        if (trainer.completedSteps % options.checkpointEvery === 0) await checkpoint();
        if (!stopRequested && deadline !== null && performance.now() >= deadline) {
          stopRequested = true;
          stoppedByTimeLimit = true;
          view.info(`time limit of ${options.timeLimitMinutes} min reached at step ${trainer.completedSteps}; saving`);
        }
        if (trainer.completedSteps >= totalSteps || stopRequested) break;
        waitStarted = performance.now();
      }
      if (batchIndex === 0 && startPosition === 0) {
        throw new UsageError(
          `${record.data ?? 'the dataset'} gave no full batch of ${record.batchSize} images this epoch` +
            (batches.report ? ` (${batches.report.imagesDelivered + batches.report.imagesDropped} usable, ${batches.report.skippedCount} skipped)` : '') +
            '; use a smaller --batch-size or more data',
        );
      }
      const report: EpochReport | undefined = batches.report;
      if (report !== undefined) {
        skippedItems += report.skippedCount;
        if (report.skippedCount > 0) view.info(`epoch ${epoch}: skipped ${report.skippedCount} unreadable item(s), listed in ${skippedPath}`);
      }
      if (trainer.completedSteps < totalSteps && !stopRequested) {
        trainer.epoch = epoch + 1;
        dataPosition = 0;
      }
    }
    const finalSample = lastSample as string | null; // assigned inside writeSample, which TS cannot see
    if (finalSample === null || !finalSample.endsWith(`${String(trainer.completedSteps).padStart(6, '0')}.png`)) await writeSample();
    await checkpoint();
    const generatorDirectory = join(directory, 'generator');
    await exportGenerator(generatorDirectory, trainer.generator);
    view.finish();
    const seconds = (performance.now() - started) / 1000;
    return {
      directory,
      backend,
      completedSteps: trainer.completedSteps,
      lastSample,
      checkpoint: checkpointDirectory,
      generator: generatorDirectory,
      seconds,
      inputWaitShare: waitSeconds + stepSeconds > 0 ? waitSeconds / (waitSeconds + stepSeconds) : 0,
      meanImagesPerSecond: stepSeconds > 0 ? trainedImages / stepSeconds : 0,
      interrupted: stopRequested && !stoppedByTimeLimit,
      stoppedByTimeLimit,
      skippedItems,
    };
  } catch (error) {
    // A failure mid-run (an unreadable image under --strict, a full disk, ...) keeps the steps trained since the
    // last checkpoint: save one if it can be saved, then report the failure.
    if (trainer.completedSteps > checkpointedStep && trainer.completedSteps > 0) {
      try {
        await checkpoint();
        view.info(`stopped by an error at step ${trainer.completedSteps}; checkpoint saved (continue with --resume --out ${directory})`);
      } catch {
        // the original error is the one to report
      }
    }
    throw error;
  } finally {
    process.off('SIGINT', requestStop);
    process.off('SIGTERM', requestStop);
    trainer.dispose();
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function modelConfig(record: RunRecord) {
  return { imageSize: record.size, channels: record.channels, baseWidth: record.baseWidth, kernelSize: record.kernelSize ?? 4 };
}
