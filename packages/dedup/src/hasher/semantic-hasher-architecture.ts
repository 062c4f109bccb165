import { DedupError } from '../errors/dedup-error';

/** Shape of the semantic hasher: a `inputSize`-`codeBits`-`inputSize` ReLU autoencoder, inputSize = width * height * channels. */
export interface SemanticHasherArchitecture {
  /** Width of the (center-cropped, resized) images it hashes. @default 32 */
  readonly imageWidth: number;
  /** @default 32 */
  readonly imageHeight: number;
  /** 3 for RGB (the paper's 3072 inputs at 32x32), 1 for gray. @default 3 */
  readonly channels: 1 | 3;
  /** Code units, i.e. bits of the hash. @default 128 */
  readonly codeBits: number;
  /** A bit is 1 where its code unit's ReLU activation exceeds this value. @default 0 */
  readonly threshold: number;
  /**
   * Give the code layer a bias. Without one (the default), a code unit's pre-activation scales with the image's
   * brightness gain (w . gx = g (w . x)), so with threshold 0 the bits do not change when an image is made
   * uniformly brighter or darker (up to clipping); measured on planted MNIST duplicates it also kept more units
   * alive. The paper does not say; set it to true for a plain dense layer.
   * @default false
   */
  readonly encoderBias: boolean;
  /**
   * How pixels become the code layer's input. `'standardise'`: each image's [0, 1] values minus their own mean,
   * divided by their own standard deviation (at least {@link minimumInputDeviation}), minus the training set's mean
   * of those standardised images (kept with the hasher as `inputMean`). The code units then see centred inputs, so a
   * code-layer unit without bias splits the data instead of firing on every image (or none) where a shared
   * background dominates (icons or clip art on white: 82 of 128 bits were constant without it); a brightness gain or
   * offset leaves the input unchanged. `'none'`: the [0, 1] values as they are (0.1/0.2 hashers, the paper).
   * @default 'standardise' ('none' for hasher files written before it existed)
   */
  readonly inputNormalisation: 'none' | 'standardise';
}

/** Floor of an image's standard deviation (of [0, 1] values) when standardising: a flat image stays near 0. */
export const minimumInputDeviation = 0.02;

export const defaultArchitecture: SemanticHasherArchitecture = {
  imageWidth: 32,
  imageHeight: 32,
  channels: 3,
  codeBits: 128,
  threshold: 0,
  encoderBias: false,
  inputNormalisation: 'standardise',
};

/**
 * Fills in defaults and validates, failing fast with a message that names the field.
 *
 * @example
 * resolveArchitecture({ imageWidth: 16, imageHeight: 16, channels: 1 });
 */
export function resolveArchitecture(
  partial: Partial<SemanticHasherArchitecture> = {},
  where = '',
): SemanticHasherArchitecture {
  const architecture = { ...defaultArchitecture, ...partial };
  const suffix = where === '' ? '' : ` (${where})`;
  for (const name of ['imageWidth', 'imageHeight', 'codeBits'] as const) {
    const value = architecture[name];
    if (!Number.isInteger(value) || value < 1 || value > 4096)
      throw new DedupError(`Expected \`${name}\` to be an integer in 1..4096, got \`${String(value)}\`${suffix}`);
  }
  if (architecture.channels !== 1 && architecture.channels !== 3)
    throw new DedupError(`Expected \`channels\` to be 1 or 3, got \`${String(architecture.channels)}\`${suffix}`);
  if (
    typeof architecture.threshold !== 'number' ||
    !Number.isFinite(architecture.threshold) ||
    architecture.threshold < 0
  ) {
    throw new DedupError(
      `Expected \`threshold\` to be a finite number >= 0, got \`${String(architecture.threshold)}\`${suffix}`,
    );
  }
  if (architecture.inputNormalisation !== 'none' && architecture.inputNormalisation !== 'standardise') {
    throw new DedupError(
      `Expected \`inputNormalisation\` to be 'none' or 'standardise', got \`${String(architecture.inputNormalisation)}\`${suffix}`,
    );
  }
  if (typeof architecture.encoderBias !== 'boolean')
    throw new DedupError(
      `Expected \`encoderBias\` to be a boolean, got \`${String(architecture.encoderBias)}\`${suffix}`,
    );
  return architecture;
}

/** Number of input (and reconstruction) values: width * height * channels. */
export function inputSizeOf(architecture: SemanticHasherArchitecture): number {
  return architecture.imageWidth * architecture.imageHeight * architecture.channels;
}
