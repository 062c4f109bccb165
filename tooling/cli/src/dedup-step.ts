import { resolve } from 'node:path';

import { initBackend, type BackendPreference } from '@dcgan/backend';
import { openDataset, type DatasetFormat } from '@dcgan/data';
import { createDedupReport, type CreatedDedupReport, type DedupRunEvent } from '@dcgan/dedup';

import { ProgressBar } from './progress-bar';

/**
 * How a paper app deduplicates its data before training (the paper's section 4.1.1): the semantic hasher's shape and
 * training, and the matching settings (`createDedupReport` of @dcgan/dedup).
 */
export interface PaperDedupSettings {
  /** Hasher input: centre crops resized to this side (the paper: 32). */
  readonly imageSize: number;
  readonly channels: 1 | 3;
  /** Hash bits (the paper: 128). */
  readonly codeBits: number;
  /** Hasher training epochs (the app's `--dedup-epochs` overrides it). */
  readonly epochs: number;
  /** Images sampled per hasher epoch (`--dedup-images-per-epoch`); `undefined`: all of them. */
  readonly imagesPerEpoch: number | undefined;
  /** Hasher mini-batch (`--dedup-batch-size`). */
  readonly batchSize: number;
  /** Hash copies shifted by up to this many pixels too (`--dedup-shift-probes`). @default createDedupReport's (2) */
  readonly shiftProbes?: number;
}

/** One dedup step: where, on what, with which settings. */
export interface DedupStepPlan {
  readonly data: string;
  readonly format: DatasetFormat;
  /** The dedup folder (`<run>/dedup`): hasher.bin, hashes/, dedup-report.json, contact sheets. */
  readonly directory: string;
  readonly settings: PaperDedupSettings;
  readonly backend: BackendPreference;
}

/**
 * Deduplicates the data into `plan.directory` before a paper run trains, drawing progress: reuses the report there
 * when it was made from this data with these settings, else trains (or continues) the hasher, hashes (resuming the
 * finished chunks) and groups. Resolves with the report and where it is.
 *
 * @example const { path } = await runDedupStep(plan, stop.signal, output.say); // then train with dedupReport: path
 */
export async function runDedupStep(
  plan: DedupStepPlan,
  signal: AbortSignal,
  say: (message: string) => void,
): Promise<CreatedDedupReport> {
  const { settings } = plan;
  const selection = await initBackend({ prefer: plan.backend });
  say(
    `dedup (section 4.1.1) in ${plan.directory} on ${selection.name}: ${settings.imageSize}x${settings.imageSize}x${settings.channels} crops, ${settings.codeBits}-bit semantic hash`,
  );
  // The data as the hasher sees it: the central square scaled to its input (the paper's 32x32 crops).
  const { source, transform } = await openDataset(resolve(plan.data), {
    format: plan.format,
    size: settings.imageSize,
    channels: settings.channels,
    photoFit: 'crop-then-resize',
  });
  const render = renderDedupEvents(say, source.length);
  try {
    return await createDedupReport({
      source,
      transform,
      directory: plan.directory,
      training: {
        architecture: {
          imageWidth: settings.imageSize,
          imageHeight: settings.imageSize,
          channels: settings.channels,
          codeBits: settings.codeBits,
        },
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        ...(settings.imagesPerEpoch === undefined
          ? {}
          : { imagesPerEpoch: Math.max(settings.batchSize, settings.imagesPerEpoch) }),
      },
      ...(settings.shiftProbes === undefined ? {} : { shiftProbes: settings.shiftProbes }),
      reuse: true,
      signal,
      onEvent: render.onEvent,
    });
  } finally {
    render.finish();
    await source.close();
  }
}

/** The dedup step's events as lines and progress bars. */
function renderDedupEvents(
  say: (message: string) => void,
  items: number | undefined,
): { onEvent: (event: DedupRunEvent) => void; finish: () => void } {
  let bar: ProgressBar | null = null;
  let hasherEpochs = 0;
  const line = (message: string): void => (bar === null ? say(message) : bar.log(message));
  const finish = (): void => {
    bar?.finish();
    bar = null;
  };
  const onEvent = (event: DedupRunEvent): void => {
    switch (event.status) {
      case 'hasher-file':
        if (event.action === 'reuse')
          line(`dedup: using the hasher ${event.path} (trained ${event.epochsDone} epochs)`);
        else
          line(
            `dedup: ${event.action === 'new' ? 'training the hasher' : `continuing the hasher from epoch ${event.epochsDone}`} (${event.epochs} epochs) into ${event.path}`,
          );
        return;
      case 'hasher-training': {
        const training = event.event;
        if (training.status === 'small-training-set')
          line(
            `dedup: warning: the ${training.codeBits}-bit hasher trains on only ${training.images} images; it needs about ${training.recommended}`,
          );
        else if (training.status === 'epoch-start') {
          hasherEpochs = training.epochs;
          bar = new ProgressBar({ total: training.steps ?? 0 });
        } else if (training.status === 'step')
          bar?.update(
            training.step,
            `hasher epoch ${training.epoch + 1}/${hasherEpochs} loss ${training.loss.toFixed(5)} ${training.imagesPerSecond.toFixed(0)} img/s`,
          );
        else if (training.status === 'epoch-end') {
          finish();
          line(
            `dedup: hasher epoch ${training.epoch + 1}/${training.epochs}: loss ${training.loss.toFixed(5)} in ${training.seconds.toFixed(1)} s`,
          );
        }
        return;
      }
      case 'hasher-stopped':
        finish();
        line(
          `dedup: stopped; ${event.path} keeps ${event.epochsCompleted} finished epoch(s), the same command continues`,
        );
        return;
      case 'hashing': {
        const hashing = event.event;
        if (hashing.status === 'start') {
          bar = new ProgressBar({ total: hashing.total ?? items ?? 0 });
          if (hashing.resumedFrom > 0) line(`dedup: resuming the hashes after ${hashing.resumedFrom} items`);
        } else if (hashing.status === 'progress')
          bar?.update(
            hashing.itemsRead,
            `hashing, ${hashing.imagesPerSecond.toFixed(0)} img/s, ${hashing.skippedCount} skipped`,
          );
        else if (hashing.status === 'done') {
          bar?.update(hashing.itemsRead, 'hashed');
          finish();
        }
        return;
      }
      case 'report-reused':
      case 'report-written': {
        const { counts } = event.report;
        const verb = event.status === 'report-reused' ? 'reusing' : 'wrote';
        line(
          `dedup: ${verb} ${event.path}: ${counts.dropped} of ${counts.items} items dropped as near-duplicates (${counts.groups} groups, ${counts.skipped} undecodable)`,
        );
        return;
      }
      case 'contact-sheet':
        line(
          `dedup: ${event.selection === 'largest' ? 'largest groups' : 'sample of groups'}, kept item framed green: ${event.path}`,
        );
        return;
      case 'oversized-buckets':
        line(
          `dedup: warning: ${event.buckets} hash bucket(s) of more than 32 items (${event.items} items) were left ungrouped: the hasher gives many images one code`,
        );
        return;
      case 'drop-share-exceeded': {
        const { check } = event;
        line(
          `dedup: WARNING: the report drops ${check.dropped} of ${check.hashed} images (${(100 * check.dropShare).toFixed(1)}%), more than ${(100 * check.maximumDropShare).toFixed(1)}%; ` +
            `look at ${event.sheet}: training refuses it unless given --accept-dedup-drop`,
        );
        return;
      }
    }
  };
  return { onEvent, finish };
}

/** Where a paper run keeps its dedup step: `<run>/dedup`, beside what training writes. */
export const dedupFolderName = 'dedup';
