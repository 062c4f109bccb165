import type * as tfl from '@tensorflow/tfjs-layers';
import { dcganPresets, discriminatorFeatureLayers, resolveDcganConfig, type DcganConfigOptions } from '@dcgan/core';

import { ProbeError, describeValue } from '../errors/probe-error';

/** One discriminator layer's slice of the feature vector. */
export interface FeatureLayerLayout {
  /** Layer name in the discriminator (`d_lrelu1`, ...). */
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Side of the max-pooling window (and its stride): `height / gridSize`. */
  readonly poolSize: number;
  /** First feature index of this layer. */
  readonly offset: number;
  /** `gridSize * gridSize * channels`. */
  readonly length: number;
}

/**
 * Where each layer's pooled activations sit in the feature vector. Within a layer the order is
 * (grid row, grid column, channel), as tfjs's NHWC layout flattens.
 */
export interface FeatureLayout {
  readonly gridSize: number;
  /** `[height, width, channels]` of D's input. */
  readonly inputShape: readonly [number, number, number];
  readonly layers: readonly FeatureLayerLayout[];
  /** Total features per image: the sum of the layers' lengths. */
  readonly dimension: number;
}

/**
 * The feature layout of a DCGAN discriminator (paper, section 5.1): every hidden convolution layer
 * after its activation (`discriminatorFeatureLayers`), each max-pooled to a `gridSize` x `gridSize`
 * grid, concatenated input side first. Layers whose side is not a multiple of `gridSize` are rejected.
 *
 * @example
 * ```ts
 * discriminatorFeatureLayout(createDiscriminator({ imageSize: 32, baseWidth: 256 })).dimension; // 28672
 * ```
 */
export function discriminatorFeatureLayout(discriminator: tfl.LayersModel, gridSize = 4): FeatureLayout {
  checkGridSize(gridSize);
  const inputShape = discriminator.inputs[0]?.shape;
  if (inputShape === undefined || inputShape.length !== 4) {
    throw new ProbeError(
      `Expected a discriminator with one image input [batch, height, width, channels], got model \`${discriminator.name}\``,
    );
  }
  const layers: FeatureLayerLayout[] = [];
  let offset = 0;
  for (const layer of discriminatorFeatureLayers(discriminator)) {
    const shape = layer.outputShape as (number | null)[];
    const [, height, width, channels] = shape;
    if (shape.length !== 4 || height == null || width == null || channels == null) {
      throw new ProbeError(
        `Expected layer \`${layer.name}\` to output [batch, height, width, channels], got [${shape.join(', ')}]`,
      );
    }
    if (height % gridSize !== 0 || width % gridSize !== 0) {
      throw new ProbeError(
        `Cannot max-pool layer \`${layer.name}\` (${height}x${width}) to a ${gridSize}x${gridSize} grid: its side is not a multiple of \`gridSize\``,
      );
    }
    if (height !== width)
      throw new ProbeError(`Expected square feature maps, got ${height}x${width} at layer \`${layer.name}\``);
    const length = gridSize * gridSize * channels;
    layers.push({ name: layer.name, height, width, channels, poolSize: height / gridSize, offset, length });
    offset += length;
  }
  return {
    gridSize,
    inputShape: [inputShape[1] ?? 0, inputShape[2] ?? 0, inputShape[3] ?? 0],
    layers,
    dimension: offset,
  };
}

/**
 * The feature dimension of the discriminator {@link createDiscriminator} builds for a config, without
 * building it: `gridSize^2 * baseWidth * (2^(depth - 1) - 1)` with `depth = log2(imageSize) - 1`, i.e.
 * `gridSize^2` times the channels of all hidden conv layers (baseWidth, 2 baseWidth, ... at 4x4).
 * For the paper's 28,672: 16 x 1,792 channels, e.g. a 32px D of base width 256 (256 + 512 + 1,024).
 *
 * @example
 * ```ts
 * discriminatorFeatureDimension({ ...dcganPresets.dcgan32, baseWidth: 256 }); // 28672
 * discriminatorFeatureDimension(dcganPresets.dcgan32Small); // 3584
 * ```
 */
export function discriminatorFeatureDimension(config: DcganConfigOptions, gridSize = 4): number {
  checkGridSize(gridSize);
  const { imageSize, baseWidth } = resolveDcganConfig(config);
  const depth = Math.log2(imageSize) - 1;
  if (4 % gridSize !== 0) {
    throw new ProbeError(
      `Expected \`gridSize\` to be 1, 2 or 4 (it must divide D's 4x4 last hidden layer), got \`${gridSize}\``,
    );
  }
  return gridSize * gridSize * baseWidth * (2 ** (depth - 1) - 1);
}

/** The paper's CIFAR-10 feature dimension (section 5.1). */
export const paperFeatureDimension = 28_672;

/** A 32px discriminator config whose features have the paper's 28,672 dimensions. */
export const paperDimensionConfig = Object.freeze({ ...dcganPresets.dcgan32, baseWidth: 256 });

function checkGridSize(gridSize: unknown): void {
  if (typeof gridSize !== 'number' || !Number.isInteger(gridSize) || gridSize < 1) {
    throw new ProbeError(`Expected \`gridSize\` to be a positive integer, got \`${describeValue(gridSize)}\``);
  }
}
