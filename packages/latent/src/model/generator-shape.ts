import type * as tfl from '@tensorflow/tfjs-layers';
import { LatentError } from '../errors/latent-error';

/** Latent size, image size and channels read from a generator's input and output shapes. */
export interface GeneratorShape {
  readonly latentDim: number;
  readonly imageSize: number;
  readonly channels: number;
}

/** Reads a generator's shapes, failing clearly on a model that does not map `[batch, d]` to `[batch, s, s, c]`. */
export function generatorShape(generator: tfl.LayersModel): GeneratorShape {
  const inputShape = generator?.inputs?.[0]?.shape;
  const outputShape = generator?.outputs?.[0]?.shape;
  const latentDim = inputShape?.[1];
  const imageSize = outputShape?.[1];
  const channels = outputShape?.[3];
  if (
    inputShape?.length !== 2 ||
    outputShape?.length !== 4 ||
    latentDim == null ||
    imageSize == null ||
    channels == null
  ) {
    throw new LatentError(
      `Expected \`generator\` to map [batch, latentDim] to [batch, size, size, channels], got [${inputShape?.join(', ') ?? '?'}] -> [${outputShape?.join(', ') ?? '?'}]`,
    );
  }
  return { latentDim, imageSize, channels };
}
