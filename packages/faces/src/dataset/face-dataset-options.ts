import type { ImageSource, Shard } from '@dcgan/data';

import { faceDetectorModels, type FaceDetector, type FaceDetectorModel } from '../detector/face-detector';
import { FacesError } from '../errors/faces-error';
import { defaultMaxPhotoPixels } from '../photos/decode-photo';
import type { FacesEvent } from './faces-event';

export interface BuildFaceDatasetOptions {
  /**
   * A folder of photos, read recursively (jpg, png, webp, gif, tiff, avif), or any @dcgan/data `ImageSource`
   * (its item keys then name the photos in the boxes file).
   */
  readonly photos: string | ImageSource;
  /** Where crops, boxes files, the contact sheet and the run's journal go. Created when missing. */
  readonly outputDirectory: string;
  /** Shortest side, in photo pixels, that a face box needs to be kept (the paper kept "high resolution" boxes). @default 64 */
  readonly minimumSize?: number;
  /** Detector score in [0, 1] that a face box needs to be kept. @default 0.5 */
  readonly minimumScore?: number;
  /**
   * Detections scoring at least this are reported; those under `minimumScore` are listed as rejected (`low-score`)
   * and shown on the contact sheet. Must not exceed `minimumScore`. @default 0.3
   */
  readonly candidateScore?: number;
  /**
   * Margin added on each side of the square crop, as a fraction of the box's longer side. The default is @dcgan/data
   * `openFaceCrops`'s, so that reading the boxes file with it gives these very crops.
   * @default 0.25
   */
  readonly margin?: number;
  /** Side of the square crops written, in pixels (the training size). @default 64 */
  readonly imageSize?: number;
  /** Detector model. @default 'ssd-mobilenet-v1' */
  readonly model?: FaceDetectorModel;
  /**
   * Photos are shrunk to at most this longer side before detection (the detectors look at 512 or 608 px anyway);
   * boxes are mapped back to full-resolution pixels and crops cut from the full photo. @default 1024
   */
  readonly detectionSize?: number;
  /** At most this many kept and this many rejected boxes are drawn on the contact sheet. @default 100 */
  readonly contactSheetLimit?: number;
  /**
   * Photos whose header claims more pixels than this are listed as unreadable without being decoded, which bounds
   * memory (a 250 KB PNG can claim 256 megapixels: a gigabyte decoded). @default 64_000_000
   */
  readonly maxPhotoPixels?: number;
  /**
   * What to do when `outputDirectory` holds an earlier run: `resume` skips the photos it finished (and refuses when
   * its options differ), `overwrite` deletes its files and starts again. @default 'resume'
   */
  readonly existing?: 'resume' | 'overwrite';
  /**
   * Search only this shard of the photos (photo `p` of the sorted listing belongs to shard `p mod count`; see
   * `resolveShard` of @dcgan/data). Write each shard to its own `outputDirectory` (`shardDirectory(out, shard)`);
   * `mergeFaceShards` then writes the output one process would have written.
   * @default every photo
   */
  readonly shard?: Shard;
  /** A loaded detector to use (of `model`, reporting down to `candidateScore`); the caller disposes it. */
  readonly detector?: FaceDetector;
  /** Stops after the current photo; the run is finalised and can be resumed. */
  readonly signal?: AbortSignal;
  /** Progress, tagged by `status`. Library code never prints. */
  readonly onEvent?: (event: FacesEvent) => void;
}

/** Options that decide what a run produces; a resumed run must use the same. */
export interface FaceDatasetSettings {
  readonly minimumSize: number;
  readonly minimumScore: number;
  readonly candidateScore: number;
  readonly margin: number;
  readonly imageSize: number;
  readonly model: FaceDetectorModel;
  readonly detectionSize: number;
}

export interface ResolvedFaceDatasetOptions {
  readonly settings: FaceDatasetSettings;
  readonly contactSheetLimit: number;
  readonly maxPhotoPixels: number;
  readonly existing: 'resume' | 'overwrite';
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new FacesError(message);
}

/** Applies defaults and fails fast on bad values, naming the option. */
export function resolveFaceDatasetOptions(options: BuildFaceDatasetOptions): ResolvedFaceDatasetOptions {
  const minimumSize = options.minimumSize ?? 64;
  const minimumScore = options.minimumScore ?? 0.5;
  const candidateScore = options.candidateScore ?? Math.min(0.3, minimumScore);
  const margin = options.margin ?? 0.25;
  const imageSize = options.imageSize ?? 64;
  const model = options.model ?? 'ssd-mobilenet-v1';
  const detectionSize = options.detectionSize ?? 1024;
  const contactSheetLimit = options.contactSheetLimit ?? 100;
  const maxPhotoPixels = options.maxPhotoPixels ?? defaultMaxPhotoPixels;
  const existing = options.existing ?? 'resume';
  expect(
    typeof options.photos === 'string' ? options.photos.length > 0 : typeof options.photos?.items === 'function',
    'Expected `photos` to be a folder path or an ImageSource',
  );
  expect(
    typeof options.outputDirectory === 'string' && options.outputDirectory.length > 0,
    'Expected `outputDirectory` to be a folder path',
  );
  expect(
    Number.isFinite(minimumSize) && minimumSize >= 1,
    `Expected \`minimumSize\` to be a number of pixels >= 1, got \`${minimumSize}\``,
  );
  expect(minimumScore >= 0 && minimumScore <= 1, `Expected \`minimumScore\` to be in [0, 1], got \`${minimumScore}\``);
  expect(
    candidateScore >= 0 && candidateScore <= minimumScore,
    `Expected \`candidateScore\` to be in [0, minimumScore = ${minimumScore}], got \`${candidateScore}\``,
  );
  expect(margin >= 0 && margin <= 2, `Expected \`margin\` to be a fraction in [0, 2], got \`${margin}\``);
  expect(
    Number.isInteger(imageSize) && imageSize >= 8 && imageSize <= 4096,
    `Expected \`imageSize\` to be an integer in [8, 4096], got \`${imageSize}\``,
  );
  expect(
    faceDetectorModels.includes(model),
    `Expected \`model\` to be one of ${faceDetectorModels.join(', ')}, got \`${String(model)}\``,
  );
  expect(
    Number.isInteger(detectionSize) && detectionSize >= 128,
    `Expected \`detectionSize\` to be an integer >= 128, got \`${detectionSize}\``,
  );
  expect(
    Number.isInteger(contactSheetLimit) && contactSheetLimit >= 0,
    `Expected \`contactSheetLimit\` to be an integer >= 0, got \`${contactSheetLimit}\``,
  );
  expect(
    Number.isInteger(maxPhotoPixels) && maxPhotoPixels >= 1 && maxPhotoPixels <= 0x3fff * 0x3fff,
    `Expected \`maxPhotoPixels\` to be an integer in [1, ${0x3fff * 0x3fff}] (sharp's own limit), got \`${maxPhotoPixels}\``,
  );
  expect(
    existing === 'resume' || existing === 'overwrite',
    `Expected \`existing\` to be resume or overwrite, got \`${String(existing)}\``,
  );
  if (options.detector !== undefined) {
    expect(
      options.detector.model === model,
      `Expected \`detector\` to be a ${model} detector, got \`${options.detector.model}\``,
    );
    expect(
      options.detector.minimumScore <= candidateScore,
      `Expected \`detector\` to report scores down to \`candidateScore\` = ${candidateScore}, but it stops at ${options.detector.minimumScore}`,
    );
  }
  return {
    settings: { minimumSize, minimumScore, candidateScore, margin, imageSize, model, detectionSize },
    contactSheetLimit,
    maxPhotoPixels,
    existing,
  };
}
