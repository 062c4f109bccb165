import type { DcganConfig } from './dcgan-config';

/**
 * Ready-made model configurations from the paper and its reference implementations.
 *
 * - `dcgan64`: the 64px LSUN bedrooms / faces model as in pytorch/examples (4x4 kernels, base width 64,
 *   G 3,576,704 and D 2,765,568 trainable parameters).
 * - `dcgan64Authors`: the authors' Theano code for LSUN/faces: 5x5 kernels, base width 128 (the paper's
 *   figure 1: 4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3).
 * - `dcgan32`: 32px model for CIFAR-10, SVHN and ImageNet 32x32 (base width 64).
 * - `dcgan32Small`: the same at base width 32, sized for CPU training.
 *
 * @example
 * ```ts
 * const generator = createGenerator({ ...dcganPresets.dcgan32Small, channels: 1 });
 * ```
 */
export const dcganPresets = Object.freeze({
  dcgan64: Object.freeze({ imageSize: 64, channels: 3, latentDim: 100, baseWidth: 64, kernelSize: 4 }),
  dcgan64Authors: Object.freeze({ imageSize: 64, channels: 3, latentDim: 100, baseWidth: 128, kernelSize: 5 }),
  dcgan32: Object.freeze({ imageSize: 32, channels: 3, latentDim: 100, baseWidth: 64, kernelSize: 4 }),
  dcgan32Small: Object.freeze({ imageSize: 32, channels: 3, latentDim: 100, baseWidth: 32, kernelSize: 4 }),
} satisfies Record<string, DcganConfig>);

/** Name of a {@link dcganPresets} entry. */
export type DcganPresetName = keyof typeof dcganPresets;
