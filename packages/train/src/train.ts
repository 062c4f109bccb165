import { mkdir } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';

import { fastestWasmThreads, initBackend, type BackendSelection, type WasmThreadsProbe } from '@dcgan/backend';
import { Trainer } from '@dcgan/core';
import { exportGenerator, loadCheckpoint, readCheckpointInfo, saveCheckpoint } from '@dcgan/core/node';
import { batchToTensor, createBatches, openDataset, type DatasetFormat } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';

import { deduplicateDataset } from './deduplicate-dataset';
import {
  assertRunDirectoryFree,
  dataPositionAt,
  directoryExists,
  epochStartStep,
  lockRunDirectory,
  makeRunDirectory,
  readRunRecord,
  recordDataPosition,
  recordEpochStart,
  removeUntrainedRun,
  truncateLogAfterStep,
  writeRunRecord,
  type RunRecord,
} from './run-directory';
import { QualityMonitor, qualityFileName, resolveQuality, type QualityRecord } from './quality';
import { RunOutputs } from './run-outputs';
import { TrainError } from './errors/train-error';
import type { StopReason, TrainEvent, TrainSummary } from './train-events';
import {
  defaultTargets,
  resolveResumeOptions,
  resolveTargets,
  resolveTrainOptions,
  type ResumeOptions,
  type RunTargets,
  type TrainControl,
  type TrainOptions,
} from './train-options';

/**
 * Trains a new run in `options.directory`: batches from the dataset, one `Trainer.step` each, metrics.ndjson,
 * fixed-noise sample grids, durable checkpoints (every `checkpointEvery` steps, at the end, on abort and after an
 * error) and a browser-loadable generator. Aborting `control.signal` stops after the current step with a
 * checkpoint; {@link resumeTraining} continues exactly (same weights and data position as an unbroken run).
 *
 * @example
 * const summary = await train({ directory: 'runs/digits', format: 'mnist-package', size: 32, channels: 1, steps: 1600 });
 */
export async function train(options: TrainOptions, control: TrainControl = {}): Promise<TrainSummary> {
  const resolved = resolveTrainOptions(options);
  const record: RunRecord & RunTargets = {
    version: 1,
    createdAt: new Date().toISOString(),
    name: resolved.name,
    data: resolved.data === null ? null : resolvePath(resolved.data),
    format: resolved.format,
    ...(resolved.dedupReport === null ? {} : { dedupReport: resolvePath(resolved.dedupReport) }),
    size: resolved.size,
    channels: resolved.channels,
    baseWidth: resolved.baseWidth,
    kernelSize: resolved.kernelSize,
    batchSize: resolved.batchSize,
    seed: resolved.seed,
    ...pickTargets(resolved),
    quality: resolved.quality,
  };
  return runTraining(
    {
      directory: resolvePath(resolved.directory),
      record,
      resumed: false,
      rewriteRecord: true,
      backend: resolved.backend,
      wasmThreads: resolved.wasmThreads,
      acceptDedupDrop: resolved.acceptDedupDrop,
    },
    control,
  );
}

/**
 * Continues the run in `options.directory` from its checkpoint, with its recorded data, model, batch size,
 * sample/checkpoint cadence and targets (steps, time limit) unless given here; metrics past the checkpoint's
 * step (trained after it by a run that then crashed) are dropped, as those steps are trained again.
 *
 * @example
 * await resumeTraining({ directory: 'runs/digits' }, { signal: AbortSignal.timeout(60_000) });
 */
export async function resumeTraining(options: ResumeOptions, control: TrainControl = {}): Promise<TrainSummary> {
  const resolved = resolveResumeOptions(options);
  const directory = resolvePath(resolved.directory);
  const recorded = await readRunRecord(directory);
  if (
    resolved.dedupReport !== undefined &&
    (resolved.dedupReport === null ? null : resolvePath(resolved.dedupReport)) !== (recorded.dedupReport ?? null)
  ) {
    throw new TrainError(
      `Cannot resume ${directory} with the dedup report ${resolved.dedupReport}: the run was made ` +
        (recorded.dedupReport === undefined ? 'without a dedup report' : `with ${recorded.dedupReport}`) +
        ' and a resumed run uses its data as recorded',
    );
  }
  const targets = resolveTargets(resolved, resolveTargets(recorded, defaultTargets));
  // A run.json edited by hand is checked as a new run's option would be.
  const record: RunRecord & RunTargets = {
    ...recorded,
    ...targets,
    quality: resolveQuality(recorded.quality, recorded),
  };
  const rewriteRecord = (Object.keys(targets) as (keyof RunTargets)[]).some((key) => recorded[key] !== targets[key]);
  // The run's report passed the data-loss guard (or was accepted) when the run started: not checked again.
  return runTraining(
    {
      directory,
      record,
      resumed: true,
      rewriteRecord,
      backend: resolved.backend,
      wasmThreads: resolved.wasmThreads,
      acceptDedupDrop: true,
    },
    control,
  );
}

interface RunPlan {
  readonly directory: string;
  readonly record: RunRecord & RunTargets;
  readonly resumed: boolean;

  /** Write run.json (a new run, or a resume with new targets). */
  readonly rewriteRecord: boolean;
  readonly backend: NonNullable<TrainOptions['backend']>;
  readonly wasmThreads: NonNullable<TrainOptions['wasmThreads']>;
  /** Skip the dedup report's data-loss guard (asked for, or a resumed run). */
  readonly acceptDedupDrop: boolean;
}

async function runTraining(plan: RunPlan, control: TrainControl): Promise<TrainSummary> {
  const started = performance.now();
  const { directory, record, resumed } = plan;
  const emit = (event: TrainEvent): void => control.onEvent?.(event);
  const checkpointDirectory = join(directory, 'checkpoint');

  // Open the data before anything is written, so a wrong path or a bad dedup report leaves nothing behind.
  let dataset = await openDataset(record.data, {
    format: record.format as DatasetFormat | 'auto',
    size: record.size,
    channels: record.channels,
  });
  let dedup: { report: string; dropped: number; items: number } | null = null;
  if (record.dedupReport !== undefined) {
    const deduplicated = await deduplicateDataset(dataset, record.dedupReport, plan.acceptDedupDrop).catch(
      async (error: unknown) => {
        await dataset.source.close();
        throw error;
      },
    );
    dataset = deduplicated.dataset;
    dedup = { report: record.dedupReport, dropped: deduplicated.dropped, items: deduplicated.items };
  }
  const madeFolder = !resumed && !(await directoryExists(directory));
  let ownsRun = false; // a new run wrote its run.json: on a failure before its first step, it is removed again
  let unlock: (() => Promise<void>) | null = null;
  let trainer: Trainer | null = null;
  let outputs: RunOutputs | null = null;
  try {
    if (resumed)
      await readCheckpointInfo(checkpointDirectory); // a corrupt checkpoint fails before any work
    else await assertRunDirectoryFree(directory, false, record.dedupReport);
    const backend = await startBackend(plan, record, emit);
    if (!resumed) await mkdir(directory, { recursive: true });
    unlock = await lockRunDirectory(directory);
    if (!resumed) {
      await assertRunDirectoryFree(directory, true, record.dedupReport); // another process may have started a run here meanwhile
      ownsRun = true;
    }
    await makeRunDirectory(directory);
    if (plan.rewriteRecord) await writeRunRecord(directory, record);
    const config = {
      imageSize: record.size,
      channels: record.channels,
      baseWidth: record.baseWidth,
      kernelSize: record.kernelSize ?? 4,
    };
    trainer = resumed
      ? await loadCheckpoint(checkpointDirectory, { expectedConfig: config })
      : new Trainer({ config, batchSize: record.batchSize, seed: record.seed });
    outputs = await RunOutputs.open(directory, emit, resumed ? trainer.completedSteps : null);
    if (resumed) await truncateLogAfterStep(join(directory, qualityFileName), trainer.completedSteps);
    emit({
      status: 'started',
      directory,
      resumed,
      step: trainer.completedSteps,
      epoch: trainer.epoch,
      totalSteps: record.steps,
      record,
      dataset: dataset.description,
      dedup,
    });
    const summary = await trainLoop(trainer, { plan, control, outputs, dataset, checkpointDirectory, emit });
    const seconds = (performance.now() - started) / 1000;
    const done: TrainSummary = { ...summary, backend, seconds };
    emit({ status: 'done', summary: done });
    return done;
  } catch (error) {
    if (ownsRun && (trainer === null || trainer.completedSteps === 0)) {
      // A new run that never trained (e.g. its first batch failed): leave the folder as it was, so that the
      // same command can run again.
      await outputs?.close();
      trainer?.dispose();
      trainer = null;
      await unlock?.();
      unlock = null;
      await removeUntrainedRun(directory, madeFolder);
    }
    throw error;
  } finally {
    await outputs?.close();
    trainer?.dispose();
    await unlock?.();
    await dataset.source.close();
  }
}

interface LoopContext {
  readonly plan: RunPlan;
  readonly control: TrainControl;
  readonly outputs: RunOutputs;
  readonly dataset: Awaited<ReturnType<typeof openDataset>>;
  readonly checkpointDirectory: string;
  readonly emit: (event: TrainEvent) => void;
}

/** The training loop proper: epochs of batches, each one step, with the cadence of samples and checkpoints. */
async function trainLoop(trainer: Trainer, context: LoopContext): Promise<Omit<TrainSummary, 'backend' | 'seconds'>> {
  const { plan, control, outputs, dataset, checkpointDirectory, emit } = context;
  const { directory, record, resumed } = plan;
  let stop: StopReason | null = null;
  const requestStop = (reason: Exclude<StopReason, 'steps'>): void => {
    if (stop !== null) return;
    stop = reason;
    emit({ status: 'stopping', step: trainer.completedSteps, reason });
  };
  const onAbort = (): void => requestStop('aborted');
  control.signal?.addEventListener('abort', onAbort);
  if (control.signal?.aborted === true) onAbort();

  let dataPosition = 0; // end position, in this epoch's order, of the last batch trained on
  let checkpointedStep = resumed ? trainer.completedSteps : -1;
  const checkpoint = async (): Promise<void> => {
    await recordDataPosition(directory, trainer.completedSteps, trainer.epoch, dataPosition);
    await saveCheckpoint(checkpointDirectory, trainer);
    await outputs.flush();
    checkpointedStep = trainer.completedSteps;
    emit({ status: 'checkpoint', step: trainer.completedSteps, directory: checkpointDirectory });
  };
  let waitSeconds = 0;
  let stepSeconds = 0;
  let trainedImages = 0;
  let skippedItems = 0;
  const deadline = record.timeLimitMinutes === null ? null : performance.now() + record.timeLimitMinutes * 60_000;
  // FID/KID: set up inside the time limit (its real features and floor are part of the evaluation cost).
  let quality: QualityMonitor | null = null;
  let floor: NonNullable<QualityRecord['floor']> | null = null;
  const evaluateQuality = async (): Promise<void> => {
    if (quality === null) return;
    const result = await quality.evaluate(trainer);
    floor ??= result.floor ?? null;
    await outputs.quality(result);
    emit({ status: 'quality', ...result });
  };
  try {
    if (record.quality != null) {
      quality = await QualityMonitor.create(directory, record.quality, dataset, {
        seed: record.seed,
        latentDim: trainer.generator.inputs[0]!.shape[1]!,
      });
    }
    if (!resumed) await outputs.sample(trainer); // step 0: what untrained noise looks like
    let resuming = resumed;
    while (trainer.completedSteps < record.steps && stop === null) {
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
        strict: record.strict,
        onEvent: outputs.onDataEvent,
      });
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
        let result: Awaited<ReturnType<typeof trainer.step>>;
        try {
          result = await trainer.step(images);
        } finally {
          images.dispose();
        }
        stepSeconds += (performance.now() - stepStarted) / 1000;
        trainedImages += batch.shape[0];
        await outputs.step(result, record.steps);
        if (trainer.completedSteps % record.sampleEvery === 0) await outputs.sample(trainer);
        if (trainer.completedSteps % record.checkpointEvery === 0) await checkpoint();
        if (quality?.due(trainer.completedSteps) === true) await evaluateQuality();
        if (deadline !== null && performance.now() >= deadline) requestStop('time-limit');
        if (trainer.completedSteps >= record.steps || stop !== null) break;
        waitStarted = performance.now();
      }
      if (batchIndex === 0 && startPosition === 0) {
        const report = batches.report;
        throw new TrainError(
          `${record.data ?? 'the dataset'} gave no full batch of ${record.batchSize} images this epoch` +
            (report
              ? ` (${report.imagesDelivered + report.imagesDropped} usable, ${report.skippedCount} skipped)`
              : '') +
            '; use a smaller batch size or more data',
        );
      }
      if (batches.report !== undefined) {
        skippedItems += batches.report.skippedCount;
        emit({ status: 'epoch-end', epoch, report: batches.report });
      }
      if (trainer.completedSteps < record.steps && stop === null) {
        trainer.epoch = epoch + 1;
        dataPosition = 0;
      }
    }
    if (!outputs.hasSampleOf(trainer.completedSteps)) await outputs.sample(trainer);
    if (checkpointedStep !== trainer.completedSteps) await checkpoint();
    // The end of the run (not of a session stopped by Ctrl-C) is evaluated once more.
    if (quality !== null && quality.last?.step !== trainer.completedSteps && (stop as StopReason | null) !== 'aborted')
      await evaluateQuality();
    const generatorDirectory = join(directory, 'generator');
    await exportGenerator(generatorDirectory, trainer.generator);
    return {
      directory,
      completedSteps: trainer.completedSteps,
      stopReason: stop ?? 'steps',
      lastSample: outputs.lastSample,
      checkpoint: checkpointDirectory,
      generator: generatorDirectory,
      metrics: outputs.metricsPath,
      curves: outputs.curvesPath,
      tensorboard: outputs.eventFile,
      skippedItems,
      skippedList: outputs.skippedPath,
      inputWaitShare: waitSeconds + stepSeconds > 0 ? waitSeconds / (waitSeconds + stepSeconds) : 0,
      meanImagesPerSecond: stepSeconds > 0 ? trainedImages / stepSeconds : 0,
      quality: quality === null ? null : { last: quality.last, floor, path: quality.path },
    };
  } catch (error) {
    // A failure mid-run (an unreadable image when strict, a full disk, ...) keeps the steps trained since the
    // last checkpoint: save one if it can be saved, then report the failure.
    if (trainer.completedSteps > checkpointedStep && trainer.completedSteps > 0) {
      try {
        await checkpoint();
        emit({ status: 'saved-after-error', step: trainer.completedSteps, error });
      } catch {
        // the original error is the one to report
      }
    }
    throw error;
  } finally {
    quality?.dispose();
    control.signal?.removeEventListener('abort', onAbort);
  }
}

function pickTargets(targets: RunTargets): RunTargets {
  return {
    steps: targets.steps,
    timeLimitMinutes: targets.timeLimitMinutes,
    sampleEvery: targets.sampleEvery,
    checkpointEvery: targets.checkpointEvery,
    strict: targets.strict,
  };
}

/** Starts the backend; with `wasmThreads: 'fastest'` on a multi-core wasm backend, times the run's model first. */
async function startBackend(
  plan: RunPlan,
  record: RunRecord,
  emit: (event: TrainEvent) => void,
): Promise<BackendSelection> {
  const fastest = plan.wasmThreads === 'fastest';
  const selection = await initBackend({ prefer: plan.backend, wasmThreads: fastest ? 'auto' : plan.wasmThreads });
  if (!fastest || selection.name !== 'wasm' || (selection.wasmThreads ?? 1) <= 1) {
    emit({ status: 'backend', selection });
    return selection;
  }
  const probe = await fastestWasmThreads(probeSteps(record), { repetitions: 2 });
  const chosen: BackendSelection = { ...selection, wasmThreads: probe.threads };
  emit({
    status: 'backend',
    selection: chosen,
    threadProbe: { threads: probe.threads, secondsPerCall: probe.secondsPerCall },
  });
  return chosen;
}

/** One training step of the run's model on random data, for timing; frees everything it makes. */
/**
 * Steps of the run's model on random data, for timing thread counts: one Trainer per thread count (made in `setUp`),
 * so the timed steps are warm steps as in training, without a new model's one-time set-up.
 */
function probeSteps(record: RunRecord): WasmThreadsProbe {
  const config = {
    imageSize: record.size,
    channels: record.channels,
    baseWidth: record.baseWidth,
    kernelSize: record.kernelSize ?? 4,
  };
  let state: { trainer: Trainer; batch: tf.Tensor4D } | undefined;
  return {
    setUp: () => {
      state = {
        trainer: new Trainer({ config, batchSize: record.batchSize, seed: record.seed }),
        batch: tf.randomUniform([record.batchSize, record.size, record.size, record.channels], -1, 1) as tf.Tensor4D,
      };
    },
    call: () => state?.trainer.step(state.batch),
    tearDown: () => {
      state?.batch.dispose();
      state?.trainer.dispose();
      state = undefined;
    },
  };
}
