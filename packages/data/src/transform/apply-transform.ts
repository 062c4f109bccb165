import { createJpegDecoder, jpegWorkerPool } from '@dcgan/jpeg';
import sharp from 'sharp';

import { DataError } from '../errors/data-error';
import type { RawImage } from '../image/raw-image';
import { isEncodedImage, type EncodedImage, type ItemPayload, type PixelRegion } from '../source/image-source';
import { centerCropRaw, convertChannelsRaw, flipHorizontalRaw, padRaw } from './raw-operations';
import type { ImageTransform, TransformStep } from './transform-step';

/** Per-item context of a transform: the seeded random stream that decides flips. */
export interface TransformContext {
  readonly random: () => number;
}

const noRandom: TransformContext = { random: () => 1 };

/** How many leading steps the decoder's resize absorbs, the sharp resize that does it, and what is left to do. */
interface FusedResize {
  readonly steps: number;
  readonly resize: sharp.ResizeOptions & { readonly width: number; readonly height: number };
  /** Steps to run on the resized pixels in place of the absorbed ones. */
  readonly after: readonly TransformStep[];
}

/**
 * Folds the transform's leading resize into the decoder's sharp call, so that decoding, JPEG shrink-on-load and the
 * resize happen in one native call. Crops always run afterwards in JS with the same rounding (offset floored), so a
 * transform gives the same pixels whether its input was encoded or raw.
 */
function planFusedResize(transform: ImageTransform): FusedResize | undefined {
  const [first, second] = transform;
  if (first?.kind === 'resize-shortest-side') {
    return { steps: 1, resize: { width: first.size, height: first.size, fit: 'outside' }, after: [] };
  }
  if (
    first?.kind === 'center-crop' &&
    first.width === undefined &&
    first.height === undefined &&
    second?.kind === 'resize' &&
    second.width === second.height
  ) {
    // Cropping the central square then scaling it equals scaling the shorter side then cropping the centre, up to
    // sub-pixel alignment of the crop; the second order lets JPEG shrink-on-load work.
    return {
      steps: 2,
      resize: { width: second.width, height: second.height, fit: 'outside' },
      after: [{ kind: 'center-crop', width: second.width, height: second.height }],
    };
  }
  if (first?.kind === 'resize')
    return { steps: 1, resize: { width: first.width, height: first.height, fit: 'fill' }, after: [] };
  return undefined;
}

async function toRawImage(pipeline: sharp.Sharp): Promise<RawImage> {
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels as RawImage['channels'],
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

function clampRegion(region: PixelRegion, width: number, height: number): PixelRegion {
  const left = Math.max(0, Math.min(width - 1, Math.round(region.left)));
  const top = Math.max(0, Math.min(height - 1, Math.round(region.top)));
  return {
    left,
    top,
    width: Math.max(1, Math.min(width - left, Math.round(region.width))),
    height: Math.max(1, Math.min(height - top, Math.round(region.height))),
  };
}

/**
 * Grows a box by `margin` times its longer side on each side and makes it square around the box's centre,
 * shifted (and if need be shrunk) to stay inside a `width` x `height` image.
 */
export function squareRegionWithMargin(box: PixelRegion, margin: number, width: number, height: number): PixelRegion {
  const longer = Math.max(box.width, box.height);
  const side = Math.max(1, Math.min(Math.round(longer * (1 + 2 * margin)), width, height));
  const centerX = box.left + box.width / 2;
  const centerY = box.top + box.height / 2;
  const left = Math.min(Math.max(0, Math.round(centerX - side / 2)), width - side);
  const top = Math.min(Math.max(0, Math.round(centerY - side / 2)), height - side);
  return { left, top, width: side, height: side };
}

function looksLikeJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Reads JPEG frame headers on the main thread (a few microseconds) to place crop regions. */
const headerReader = createJpegDecoder();

function regionOf(payload: EncodedImage, width: number, height: number): PixelRegion | undefined {
  if (payload.region === undefined) return undefined;
  return payload.region.kind === 'exact'
    ? clampRegion(payload.region.box, width, height)
    : squareRegionWithMargin(payload.region.box, payload.region.margin, width, height);
}

async function decode(payload: EncodedImage, fused: FusedResize | undefined): Promise<RawImage> {
  const input = payload.encoded;
  const fit = fused?.resize.fit;
  const pool = jpegWorkerPool();
  if (pool !== undefined && fused !== undefined && (fit === 'outside' || fit === 'fill') && looksLikeJpeg(input)) {
    // DCT-domain decode straight to about the target size on a worker; sharp takes whatever it declines. A crop
    // region is placed here, with the same rules as below (EXIF-rotated files, where sizes swap, are declined).
    const header = payload.region === undefined ? undefined : headerReader.readHeader(input);
    if (header === undefined || header.ok) {
      const crop = header === undefined ? undefined : regionOf(payload, header.width, header.height);
      const result = await pool.decode(input, {
        fit,
        width: fused.resize.width,
        height: fused.resize.height,
        ...(crop === undefined ? {} : { crop }),
      });
      if (result.ok)
        return { width: result.width, height: result.height, channels: result.channels, data: result.data };
    }
  }
  let pipeline = sharp(input, { pages: 1 }).autoOrient();
  if (payload.region !== undefined) {
    const metadata = await sharp(input, { pages: 1 }).metadata();
    const swapped = (metadata.orientation ?? 1) >= 5;
    const width = (swapped ? metadata.height : metadata.width) ?? 0;
    const height = (swapped ? metadata.width : metadata.height) ?? 0;
    if (width < 1 || height < 1) throw new DataError('image has no readable dimensions');
    pipeline = pipeline.extract(regionOf(payload, width, height)!);
  }
  if (fused !== undefined) pipeline = pipeline.resize(fused.resize);
  return toRawImage(pipeline);
}

async function resizeRaw(image: RawImage, options: sharp.ResizeOptions): Promise<RawImage> {
  const { width, height, channels } = image;
  return toRawImage(sharp(image.data, { raw: { width, height, channels } }).resize(options));
}

async function applyStep(image: RawImage, step: TransformStep, context: TransformContext): Promise<RawImage> {
  switch (step.kind) {
    case 'resize-shortest-side':
      return resizeRaw(image, { width: step.size, height: step.size, fit: 'outside' });
    case 'center-crop':
      return centerCropRaw(image, step.width, step.height);
    case 'resize':
      if (image.width === step.width && image.height === step.height) return image;
      return resizeRaw(image, { width: step.width, height: step.height, fit: 'fill' });
    case 'pad':
      return padRaw(image, step.width, step.height, step.value);
    case 'channels':
      return convertChannelsRaw(image, step.channels);
    case 'horizontal-flip':
      return context.random() < step.probability ? flipHorizontalRaw(image) : image;
  }
}

/**
 * Decodes (when needed) and transforms one item's pixels. Undecodable bytes reject with a `DataError` whose
 * `cause` is sharp's error; callers that stream datasets turn that into a skip.
 *
 * @example
 * const image = await applyTransform({ encoded: jpegBytes }, resizeThenCenterCrop(64));
 */
export async function applyTransform(
  payload: ItemPayload,
  transform: ImageTransform = [],
  context: TransformContext = noRandom,
): Promise<RawImage> {
  let image: RawImage;
  let remaining = transform;
  if (isEncodedImage(payload)) {
    const fused = planFusedResize(transform);
    try {
      image = await decode(payload, fused);
    } catch (error) {
      if (DataError.isInstance(error)) throw error;
      throw new DataError(`cannot decode image: ${(error as Error).message}`, { cause: error });
    }
    if (fused !== undefined) remaining = [...fused.after, ...transform.slice(fused.steps)];
  } else {
    image = payload;
  }
  for (const step of remaining) image = await applyStep(image, step, context);
  return image;
}
