import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import sharp from 'sharp';

import { writeFileAtomic } from '@dcgan/common/node';
import { writeShardManifest, type RawImage } from '@dcgan/data';

import type { FaceBox } from '../detector/face-box';
import { createFaceDetector, type FaceDetector } from '../detector/face-detector';
import { FacesError } from '../errors/faces-error';
import { shrinkForDetection } from '../photos/decode-photo';
import { imageSourcePhotos, openPhotoFolder, type PhotoEntry, type PhotoInput } from '../photos/photo-input';
import { rejectionReasons, selectFaces, type FaceDecision, type RejectionReason } from '../selection/select-faces';
import { keptBoxes, writeBoxesCsv, writeBoxesJson } from './boxes-file';
import { composeContactSheet, renderContactTile } from './contact-sheet';
import {
  resolveFaceDatasetOptions,
  type BuildFaceDatasetOptions,
  type FaceDatasetSettings,
} from './face-dataset-options';
import type { FaceDatasetFiles, FaceDatasetSummary, UnreadablePhoto } from './face-dataset-summary';
import type { FaceDatasetTotals } from './faces-event';
import { isUnreadableRecord, JournalWriter, readJournal, type JournalFace, type JournalRecord } from './journal';
import { readRunManifest, settingsDifferences, type RunManifest } from './run-manifest';
import { faceShardStage, shardPhotoInput } from './face-shards';

/** Where a run's files go inside its output folder. */
export function faceDatasetFiles(
  outputDirectory: string,
): FaceDatasetFiles & { readonly tiles: string; readonly manifest: string } {
  const root = resolve(outputDirectory);
  return {
    crops: join(root, 'crops'),
    boxesCsv: join(root, 'boxes.csv'),
    boxesJson: join(root, 'boxes.json'),
    contactSheet: join(root, 'contact-sheet.png'),
    detections: join(root, 'detections.jsonl'),
    summary: join(root, 'summary.json'),
    tiles: join(root, 'contact-tiles'),
    manifest: join(root, 'faces-run.json'),
  };
}

/** A photo key as a safe relative path: no `..`, no leading `/`, only portable characters. */
function cropStem(file: string): string {
  const parts = file
    .split(/[\\/]+/)
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map((part) => part.replace(/[^A-Za-z0-9._-]/g, '_'));
  return parts.length > 0 ? parts.join('/') : 'photo';
}

/** Rounds a detector box to whole pixels inside the photo: the box written to the boxes file and cropped. */
function toPixelBox(box: FaceBox, scaleX: number, scaleY: number, width: number, height: number): FaceBox {
  const left = Math.max(0, Math.min(width - 1, Math.round(box.left * scaleX)));
  const top = Math.max(0, Math.min(height - 1, Math.round(box.top * scaleY)));
  const right = Math.max(left + 1, Math.min(width, Math.round((box.left + box.width) * scaleX)));
  const bottom = Math.max(top + 1, Math.min(height, Math.round((box.top + box.height) * scaleY)));
  return { left, top, width: right - left, height: bottom - top, score: box.score };
}

async function encodeCrop(photo: RawImage, decision: FaceDecision, imageSize: number): Promise<Uint8Array> {
  const { width, height, channels } = photo;
  const png = await sharp(photo.data, { raw: { width, height, channels } })
    .extract(decision.region)
    .resize(imageSize, imageSize, { fit: 'fill' })
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

type Loaded =
  | { readonly entry: PhotoEntry; readonly image: RawImage }
  | { readonly entry: PhotoEntry; readonly error: string };

function load(entry: PhotoEntry): Promise<Loaded> {
  return entry.load().then(
    (image) => ({ entry, image }),
    (error: unknown) => ({
      entry,
      error: FacesError.isInstance(error) ? error.message.replace(`${entry.file}: `, '') : String(error),
    }),
  );
}

/** Yields the photos not yet done, each decoded while the previous one is being searched. */
async function* decodeAhead(input: PhotoInput, done: ReadonlySet<string>): AsyncGenerator<Loaded> {
  let pending: Promise<Loaded> | undefined;
  for await (const entry of input.entries()) {
    if (done.has(entry.file)) continue;
    const next = load(entry);
    if (pending !== undefined) yield await pending;
    pending = next;
  }
  if (pending !== undefined) yield await pending;
}

interface Counts {
  photosRead: number;
  facesFound: number;
  facesKept: number;
  rejected: Record<RejectionReason, number>;
  unreadable: UnreadablePhoto[];
  keptTiles: string[];
  rejectedTiles: string[];
}

function emptyCounts(): Counts {
  return {
    photosRead: 0,
    facesFound: 0,
    facesKept: 0,
    rejected: Object.fromEntries(rejectionReasons.map((reason) => [reason, 0])) as Record<RejectionReason, number>,
    unreadable: [],
    keptTiles: [],
    rejectedTiles: [],
  };
}

function count(counts: Counts, record: JournalRecord): void {
  if (isUnreadableRecord(record)) {
    counts.unreadable.push({ file: record.file, reason: record.error });
    return;
  }
  counts.photosRead += 1;
  for (const face of record.faces) {
    counts.facesFound += 1;
    if (face.kept) counts.facesKept += 1;
    else if (face.reason !== undefined) counts.rejected[face.reason] += 1;
    if (face.tile !== undefined) (face.kept ? counts.keptTiles : counts.rejectedTiles).push(face.tile);
  }
}

function totalsOf(counts: Counts): FaceDatasetTotals {
  const facesRejected = Object.values(counts.rejected).reduce((sum, value) => sum + value, 0);
  return {
    photosRead: counts.photosRead,
    facesFound: counts.facesFound,
    facesKept: counts.facesKept,
    facesRejected,
    unreadable: counts.unreadable.length,
  };
}

async function prepareOutput(
  files: ReturnType<typeof faceDatasetFiles>,
  existing: 'resume' | 'overwrite',
  manifest: RunManifest,
): Promise<JournalRecord[]> {
  const root = dirname(files.manifest);
  // Only a faces run's own files are ever replaced or deleted: any other non-empty folder is refused, with or
  // without overwrite (a user's crops/ folder or summary.json must survive a mistyped --out).
  const names = await readdir(root).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
    throw new FacesError(`${root}: cannot read the output folder: ${(error as Error).message}`, {
      cause: error,
      file: root,
    });
  });
  if (names.length > 0 && !names.includes(basename(files.manifest))) {
    throw new FacesError(
      `${root} is not empty and holds no dcgan-faces run (no ${basename(files.manifest)}): choose an empty or new output folder`,
      {
        file: root,
      },
    );
  }
  if (existing === 'overwrite') {
    for (const path of [
      files.detections,
      files.boxesCsv,
      files.boxesJson,
      files.summary,
      files.contactSheet,
      files.manifest,
    ]) {
      await rm(path, { force: true });
    }
    await rm(files.crops, { recursive: true, force: true });
    await rm(files.tiles, { recursive: true, force: true });
  }
  try {
    await mkdir(root, { recursive: true });
  } catch (error) {
    throw new FacesError(`${root}: cannot create the output folder: ${(error as Error).message}`, {
      cause: error,
      file: root,
    });
  }
  const earlier = await readRunManifest(files.manifest);
  if (earlier !== undefined) {
    const differences = settingsDifferences(earlier.settings, manifest.settings);
    if (differences.length > 0) {
      throw new FacesError(
        `${root} holds a run made with other settings (${differences.join(', ')}): run again with the same options, choose another output folder, or overwrite it`,
        { file: files.manifest },
      );
    }
  } else {
    // First, so that a run killed at any later point is still recognised as a faces run.
    await writeFileAtomic(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  try {
    await mkdir(files.crops, { recursive: true });
    await mkdir(files.tiles, { recursive: true });
  } catch (error) {
    throw new FacesError(`${root}: cannot create the output folder: ${(error as Error).message}`, {
      cause: error,
      file: root,
    });
  }
  return readJournal(files.detections);
}

/** Writes the boxes files, contact sheet and summary from the journal (also the last step of `mergeFaceShards`). */
export async function finalise(
  files: ReturnType<typeof faceDatasetFiles>,
  settings: FaceDatasetSettings,
  input: Pick<PhotoInput, 'total'>,
  details: { readonly photosResumed: number; readonly interrupted: boolean; readonly startedAt: number },
): Promise<FaceDatasetSummary> {
  const records = await readJournal(files.detections);
  const counts = emptyCounts();
  for (const record of records) count(counts, record);
  await writeBoxesCsv(files.boxesCsv, keptBoxes(records));
  await writeBoxesJson(files.boxesJson, keptBoxes(records));
  const rejectedCount = totalsOf(counts).facesRejected;
  const sheet = await composeContactSheet([
    {
      title: `Kept: ${counts.keptTiles.length} shown of ${counts.facesKept} (dashed: detector box; score, shorter side)`,
      tiles: counts.keptTiles.map((tile) => join(dirname(files.manifest), tile)),
    },
    {
      title: `Rejected: ${counts.rejectedTiles.length} shown of ${rejectedCount} (red: shorter side < ${settings.minimumSize}px, orange: score < ${settings.minimumScore})`,
      tiles: counts.rejectedTiles.map((tile) => join(dirname(files.manifest), tile)),
    },
  ]);
  await writeFileAtomic(files.contactSheet, sheet);
  const summary: FaceDatasetSummary = {
    settings,
    photosListed: input.total,
    photosRead: counts.photosRead,
    photosResumed: details.photosResumed,
    facesFound: counts.facesFound,
    facesKept: counts.facesKept,
    rejected: counts.rejected,
    unreadable: counts.unreadable,
    interrupted: details.interrupted,
    seconds: (Date.now() - details.startedAt) / 1000,
    files: {
      crops: files.crops,
      boxesCsv: files.boxesCsv,
      boxesJson: files.boxesJson,
      contactSheet: files.contactSheet,
      detections: files.detections,
      summary: files.summary,
    },
  };
  await writeFileAtomic(files.summary, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/**
 * Builds a faces training set from photos, the way section 4.2 of the paper did: detect faces, keep the boxes that
 * are large (`minimumSize`) and confident (`minimumScore`) enough, and write square crops with a margin at the
 * training size, the boxes file that @dcgan/data's face-crop source reads, and a contact sheet of kept and rejected
 * boxes. Each photo is journalled when done, so a crash loses at most the photo in hand and running again resumes.
 * Unreadable photos are listed, never fatal. Runs on the current tfjs backend (`initBackend()` from @dcgan/backend).
 *
 * @example
 * const summary = await buildFaceDataset({ photos: 'photos', outputDirectory: 'faces', minimumSize: 64 });
 * console.log(`${summary.facesKept} faces kept in ${summary.files.crops}`);
 */
export async function buildFaceDataset(options: BuildFaceDatasetOptions): Promise<FaceDatasetSummary> {
  const { settings, contactSheetLimit, maxPhotoPixels, existing } = resolveFaceDatasetOptions(options);
  const emit = options.onEvent ?? (() => {});
  const startedAt = Date.now();
  const files = faceDatasetFiles(options.outputDirectory);
  const root = dirname(files.manifest);
  const input = shardPhotoInput(
    typeof options.photos === 'string'
      ? await openPhotoFolder(options.photos, [root], maxPhotoPixels)
      : imageSourcePhotos(options.photos, maxPhotoPixels),
    options.shard,
  );
  const manifest: RunManifest = { tool: '@dcgan/faces', formatVersion: 1, photos: input.description, settings };
  const earlier = await prepareOutput(files, existing, manifest);
  const shardManifest =
    options.shard === undefined || options.shard.count === 1
      ? undefined
      : { stage: faceShardStage, shard: options.shard, settings: { manifest, contactSheetLimit } };
  if (shardManifest !== undefined)
    await writeShardManifest(root, { ...shardManifest, items: earlier.length, complete: false });

  const done = new Set(earlier.map((record) => record.file));
  const counts = emptyCounts();
  for (const record of earlier) count(counts, record);
  const listed = input.files === undefined ? undefined : new Set(input.files);
  const photosResumed =
    listed === undefined ? earlier.length : earlier.filter((record) => listed.has(record.file)).length;
  let finished = photosResumed;

  let detector: FaceDetector | undefined = options.detector;
  const ownsDetector = detector === undefined;
  if (detector === undefined) {
    emit({ status: 'loading-detector', model: settings.model });
    detector = await createFaceDetector({ model: settings.model, minimumScore: settings.candidateScore });
  }
  emit({ status: 'started', total: input.total, alreadyDone: photosResumed, outputDirectory: root });

  const journal = await JournalWriter.open(files.detections);
  let interrupted = false;
  try {
    for await (const loaded of decodeAhead(input, done)) {
      if (options.signal?.aborted === true) {
        interrupted = true;
        break;
      }
      const { file } = loaded.entry;
      let record: JournalRecord;
      if ('error' in loaded) {
        record = { file, error: loaded.error };
      } else {
        record = await searchPhoto(loaded.image, file, detector, settings, files, counts, contactSheetLimit);
      }
      await journal.append(record);
      done.add(file);
      finished += 1;
      count(counts, record);
      const totals = totalsOf(counts);
      if (isUnreadableRecord(record)) {
        emit({ status: 'unreadable', file, reason: record.error, done: finished, total: input.total, totals });
      } else {
        const kept = record.faces.filter((face) => face.kept).length;
        emit({
          status: 'photo',
          file,
          done: finished,
          total: input.total,
          found: record.faces.length,
          kept,
          rejected: record.faces.length - kept,
          totals,
        });
      }
    }
  } finally {
    await journal.close();
    if (ownsDetector) detector.dispose();
  }
  emit({ status: 'finishing' });
  const summary = await finalise(files, settings, input, { photosResumed, interrupted, startedAt });
  if (shardManifest !== undefined)
    await writeShardManifest(root, {
      ...shardManifest,
      items: finished,
      complete: !interrupted && (input.total === undefined || finished === input.total),
    });
  emit({ status: 'finished', summary });
  return summary;
}

/** Detects, selects, crops and draws tiles for one decoded photo; returns its journal record (not yet written). */
async function searchPhoto(
  photo: RawImage,
  file: string,
  detector: FaceDetector,
  settings: FaceDatasetSettings,
  files: ReturnType<typeof faceDatasetFiles>,
  counts: Counts,
  contactSheetLimit: number,
): Promise<JournalRecord> {
  const { image, scaleX, scaleY } = await shrinkForDetection(photo, settings.detectionSize);
  const boxes = (await detector.detect(image))
    .filter((box) => box.score >= settings.candidateScore)
    .map((box) => toPixelBox(box, scaleX, scaleY, photo.width, photo.height));
  const decisions = selectFaces(boxes, { ...settings, width: photo.width, height: photo.height });
  const root = dirname(files.manifest);
  const stem = cropStem(file);
  let keptTiles = counts.keptTiles.length;
  let rejectedTiles = counts.rejectedTiles.length;
  const faces: JournalFace[] = [];
  for (const [index, decision] of decisions.entries()) {
    const { box } = decision;
    let crop: string | undefined;
    if (decision.kept) {
      crop = `crops/${stem}.${index}.png`;
      await mkdir(dirname(join(root, crop)), { recursive: true });
      await writeFileAtomic(join(root, crop), await encodeCrop(photo, decision, settings.imageSize));
    }
    let tile: string | undefined;
    const tiles = decision.kept ? keptTiles : rejectedTiles;
    if (tiles < contactSheetLimit) {
      tile = `contact-tiles/${decision.kept ? 'kept' : 'rejected'}-${String(tiles + 1).padStart(6, '0')}.png`;
      await writeFileAtomic(join(root, tile), await renderContactTile(photo, decision));
      if (decision.kept) keptTiles += 1;
      else rejectedTiles += 1;
    }
    faces.push({
      x: box.left,
      y: box.top,
      w: box.width,
      h: box.height,
      score: Math.round(box.score * 10_000) / 10_000,
      kept: decision.kept,
      ...(decision.reason === undefined ? {} : { reason: decision.reason }),
      ...(crop === undefined ? {} : { crop }),
      ...(tile === undefined ? {} : { tile }),
    });
  }
  return { file, width: photo.width, height: photo.height, faces };
}
