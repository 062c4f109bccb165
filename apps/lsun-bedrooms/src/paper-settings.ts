import type { PaperSettings } from '@dcgan/cli';

/**
 * The paper's LSUN bedrooms run (Radford, Metz, Chintala 2015, sections 3-4.1): 64x64 RGB images, the figure-1
 * generator (4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3, i.e. base width 128), mini-batches of
 * 128, Adam with learning rate 0.0002 and beta1 0.5 (dcgan-train's defaults), images scaled to [-1, 1] and no
 * other preprocessing than resizing the shorter side to 64 and centre cropping. Figure 2 shows samples after one
 * epoch, figure 3 after five.
 *
 * Kernels are 5x5, as in the authors' code: their published 64px script (Newmu/dcgan_code
 * faces/train_uncond_dcgan.py, the same figure-1 model the paper trains on LSUN) has every conv and deconv 5x5,
 * stride 2, pad 2, with 128 base filters. The paper itself does not give the kernel size; dcgan-train's default
 * 4x4 is pytorch/examples' later choice.
 */
export const lsunBedroomsSettings: PaperSettings = Object.freeze({
  format: 'lmdb',
  size: 64,
  channels: 3,
  baseWidth: 128,
  kernelSize: 5,
  batchSize: 128,
  epochs: 5,
  seed: 1,
  sampleEvery: 500,
  checkpointEvery: 1000,
});
