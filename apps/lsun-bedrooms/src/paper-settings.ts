import type { PaperDedupSettings, PaperSettings } from '@dcgan/cli';

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

/**
 * The dedup step before training (section 4.1.1: "we fit a 3072-128-3072 de-noising dropout regularized RELU
 * autoencoder on 32x32 downsampled center-crops of training examples", then removed the images whose codes
 * collide; about 275,000 of the ~3 million). The paper does not say how long the autoencoder trained or on how many
 * images: here 20 epochs of 100,000 images sampled afresh each epoch (five times @dcgan/dedup's measured minimum of
 * 150 images per code bit), in batches of 128. Matching uses @dcgan/dedup's defaults (Hamming radius 3, shift
 * probes of up to 2 pixels, every match verified on thumbnails), which find more copies than the paper's exact code
 * match on the measured benchmark.
 */
export const lsunBedroomsDedupSettings: PaperDedupSettings = Object.freeze({
  imageSize: 32,
  channels: 3,
  codeBits: 128,
  epochs: 20,
  imagesPerEpoch: 100_000,
  batchSize: 128,
});
