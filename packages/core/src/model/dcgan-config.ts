import { DcganError } from '@dcgan/common';
/** Architecture of a DCGAN generator/discriminator pair, as passed by users (defaults filled in by {@link resolveDcganConfig}). */
export interface DcganConfigOptions {
  /** Side of the square images in pixels: a power of two >= 16. */
  readonly imageSize: number;
  /**
   * Image channels: 1 (grayscale) or 3 (RGB).
   * @default 3
   */
  readonly channels?: 1 | 3;
  /**
   * Length of the latent vector z (uniform in [-1, 1]).
   * @default 100
   */
  readonly latentDim?: number;
  /**
   * Channels of D's first convolution and of G's last hidden layer; widths double at each layer towards
   * the 4x4 end (pytorch/examples' `ngf`/`ndf`).
   * @default 64
   */
  readonly baseWidth?: number;
  /**
   * Kernel of the stride-2 (transposed) convolutions: 4 (pytorch/examples) or 5 (the authors' code).
   * @default 4
   */
  readonly kernelSize?: 4 | 5;
}

/** A validated {@link DcganConfigOptions} with every default filled in. */
export interface DcganConfig {
  readonly imageSize: number;
  readonly channels: 1 | 3;
  readonly latentDim: number;
  readonly baseWidth: number;
  readonly kernelSize: 4 | 5;
}

const knownKeys: ReadonlySet<string> = new Set(['imageSize', 'channels', 'latentDim', 'baseWidth', 'kernelSize']);

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value;
  }
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/**
 * Validates a model configuration and fills in its defaults; throws a {@link DcganError} naming the
 * first bad field.
 *
 * @example
 * ```ts
 * const config = resolveDcganConfig({ imageSize: 32, channels: 1, baseWidth: 32 });
 * // { imageSize: 32, channels: 1, latentDim: 100, baseWidth: 32, kernelSize: 4 }
 * ```
 */
export function resolveDcganConfig(options: DcganConfigOptions): DcganConfig {
  if (options == null || typeof options !== 'object') {
    throw new DcganError(`Expected a DCGAN config object, got \`${describe(options)}\``);
  }
  for (const key of Object.keys(options)) {
    if (!knownKeys.has(key)) {
      throw new DcganError(
        `Unknown DCGAN config option \`${key}\`; expected one of ${[...knownKeys].map((name) => `\`${name}\``).join(', ')}`,
      );
    }
  }
  const { imageSize, channels = 3, latentDim = 100, baseWidth = 64, kernelSize = 4 } = options;
  if (!isPositiveInteger(imageSize) || imageSize < 16 || (imageSize & (imageSize - 1)) !== 0) {
    throw new DcganError(`Expected \`imageSize\` to be a power of two >= 16, got \`${describe(imageSize)}\``);
  }
  if (channels !== 1 && channels !== 3) {
    throw new DcganError(`Expected \`channels\` to be 1 or 3, got \`${describe(channels)}\``);
  }
  if (!isPositiveInteger(latentDim)) {
    throw new DcganError(`Expected \`latentDim\` to be a positive integer, got \`${describe(latentDim)}\``);
  }
  if (!isPositiveInteger(baseWidth)) {
    throw new DcganError(`Expected \`baseWidth\` to be a positive integer, got \`${describe(baseWidth)}\``);
  }
  if (kernelSize !== 4 && kernelSize !== 5) {
    throw new DcganError(`Expected \`kernelSize\` to be 4 or 5, got \`${describe(kernelSize)}\``);
  }
  return Object.freeze({ imageSize, channels, latentDim, baseWidth, kernelSize });
}

/**
 * Number of layers (blocks) in G and in D for an image size: one per resolution from 4x4 to the image,
 * plus D's 4x4-to-logit layer. 64px gives 5: G is project(4) + 4 transposed convs, D is 4 strided convs + logit conv.
 */
export function dcganDepth(imageSize: number): number {
  return Math.log2(imageSize) - 1;
}

/** Trainable parameters of G and D for a config, see {@link dcganParameterCount}. */
export interface DcganParameterCount {
  readonly generator: number;
  readonly discriminator: number;
}

/**
 * Counts the trainable parameters of the generator and discriminator that a config builds, without building
 * them (so that a command line can refuse an absurd model before allocating it). Equals
 * `countTrainableParameters` of the built models.
 *
 * @example
 * ```ts
 * dcganParameterCount(dcganPresets.dcgan64); // { generator: 3576704, discriminator: 2765568 }
 * ```
 */
export function dcganParameterCount(configOptions: DcganConfigOptions): DcganParameterCount {
  const { imageSize, channels, latentDim, baseWidth, kernelSize } = resolveDcganConfig(configOptions);
  const depth = dcganDepth(imageSize);
  const kernel = kernelSize * kernelSize;
  // Width of block b (1-based) in D; G mirrors it (its block b has D's width of block depth - b).
  const width = (block: number): number => baseWidth * 2 ** (block - 1);
  let generator = latentDim * 16 * width(depth - 1) + 2 * width(depth - 1);
  for (let block = 2; block <= depth; block++) {
    const input = width(depth - block + 1);
    const output = block === depth ? channels : width(depth - block);
    generator += kernel * input * output + (block === depth ? 0 : 2 * output);
  }
  let discriminator = 16 * width(depth - 1);
  for (let block = 1; block < depth; block++) {
    discriminator +=
      kernel * (block === 1 ? channels : width(block - 1)) * width(block) + (block > 1 ? 2 * width(block) : 0);
  }
  return { generator, discriminator };
}

/** True when two configs describe the same architecture. */
export function sameDcganConfig(a: DcganConfig, b: DcganConfig): boolean {
  return (
    a.imageSize === b.imageSize &&
    a.channels === b.channels &&
    a.latentDim === b.latentDim &&
    a.baseWidth === b.baseWidth &&
    a.kernelSize === b.kernelSize
  );
}
