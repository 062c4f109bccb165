import { DataError } from '../errors/data-error';

/**
 * One step of an image transform. Steps are plain data (not closures) so that the pipeline can fuse leading
 * geometric steps into the decoder's sharp call (JPEG shrink-on-load makes this several times faster).
 */
export type TransformStep =
  | { readonly kind: 'resize-shortest-side'; readonly size: number }
  | { readonly kind: 'center-crop'; readonly width: number | undefined; readonly height: number | undefined }
  | { readonly kind: 'resize'; readonly width: number; readonly height: number }
  | { readonly kind: 'pad'; readonly width: number; readonly height: number; readonly value: number }
  | { readonly kind: 'channels'; readonly channels: 1 | 3 }
  | { readonly kind: 'horizontal-flip'; readonly probability: number };

/** An image transform: steps applied in order. */
export type ImageTransform = readonly TransformStep[];

function assertSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new DataError(`Expected \`${name}\` to be a positive integer, got \`${value}\``);
}

/**
 * Scales the image so that its shorter side is `size` pixels, keeping the aspect ratio.
 *
 * @example
 * const transform = [resizeShortestSide(72), centerCrop(64)];
 */
export function resizeShortestSide(size: number): TransformStep {
  assertSize('size', size);
  return { kind: 'resize-shortest-side', size };
}

/**
 * Cuts the central `width` x `height` region (defaults: a square with the shorter side's length).
 *
 * @example
 * const transform = [centerCrop(), resize(32)];
 */
export function centerCrop(width?: number, height: number | undefined = width): TransformStep {
  if (width !== undefined) assertSize('width', width);
  if (height !== undefined) assertSize('height', height);
  return { kind: 'center-crop', width, height };
}

/**
 * Scales to exactly `width` x `height` (default square), ignoring the aspect ratio.
 *
 * @example
 * const transform = [centerCrop(), resize(32)];
 */
export function resize(width: number, height: number = width): TransformStep {
  assertSize('width', width);
  assertSize('height', height);
  return { kind: 'resize', width, height };
}

/**
 * Pads the image, centred, to `width` x `height` with the byte `value` (MNIST's 28x28 digits to 32x32).
 *
 * @example
 * const transform = [pad(32), toRgb()];
 */
export function pad(width: number, height: number = width, value = 0): TransformStep {
  assertSize('width', width);
  assertSize('height', height);
  if (!Number.isInteger(value) || value < 0 || value > 255)
    throw new DataError(`Expected \`value\` to be an integer in 0..255, got \`${value}\``);
  return { kind: 'pad', width, height, value };
}

/**
 * Converts to 3-channel RGB (gray is replicated, alpha is composited over black).
 *
 * @example
 * const transform = [pad(32), toRgb()];
 */
export function toRgb(): TransformStep {
  return { kind: 'channels', channels: 3 };
}

/**
 * Converts to 1-channel gray with ITU-R BT.601 luma weights (as PIL's `convert('L')`); alpha is composited over black.
 *
 * @example
 * const transform = [toGrayscale()];
 */
export function toGrayscale(): TransformStep {
  return { kind: 'channels', channels: 1 };
}

/**
 * Mirrors the image left-right with the given probability. The decision is seeded per item and epoch by the
 * pipeline, so runs repeat. The paper uses no augmentation; this is an option.
 *
 * @example
 * const transform = [resizeShortestSide(64), centerCrop(64), horizontalFlip()];
 */
export function horizontalFlip(probability = 0.5): TransformStep {
  if (!(probability >= 0 && probability <= 1))
    throw new DataError(`Expected \`probability\` to be in [0, 1], got \`${probability}\``);
  return { kind: 'horizontal-flip', probability };
}

/**
 * The LSUN recipe: scale the shorter side to `shortestSide` (default `size`), then cut the central `size` square.
 *
 * @example
 * const transform = resizeThenCenterCrop(64);
 */
export function resizeThenCenterCrop(size: number, shortestSide: number = size): ImageTransform {
  if (shortestSide < size)
    throw new DataError(`Expected \`shortestSide\` to be >= \`size\` (${size}), got \`${shortestSide}\``);
  return [resizeShortestSide(shortestSide), centerCrop(size)];
}

/**
 * The ImageNet 32x32 recipe: cut the central square (side = shorter side), then scale it to `size`.
 *
 * @example
 * const transform = centerCropThenResize(32);
 */
export function centerCropThenResize(size: number): ImageTransform {
  return [centerCrop(), resize(size)];
}
