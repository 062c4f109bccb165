import '@tensorflow/tfjs-backend-cpu';
import { createDiscriminator, createGenerator, type DcganConfigOptions } from '@dcgan/core';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Tests run on tfjs's pure-JS cpu backend: the reference implementation of every kernel. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** A 16px gray DCGAN with base width 8 and an 8-d latent space: fast enough for the cpu backend. */
export const tinyConfig: DcganConfigOptions = Object.freeze({ imageSize: 16, channels: 1, baseWidth: 8, latentDim: 8 });

export function tinyGenerator(seed = 3): tfl.LayersModel {
  return createGenerator(tinyConfig, { seed });
}

export function tinyDiscriminator(seed = 3): tfl.LayersModel {
  return createDiscriminator(tinyConfig, { seed });
}

/** Largest absolute difference between two tensors' values. */
export async function maxDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [left, right] = await Promise.all([a.data(), b.data()]);
  let largest = 0;
  for (let index = 0; index < left.length; index++) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}
