import type { PaperSettings } from '@dcgan/cli';

/**
 * The paper's ImageNet-1k run (Radford, Metz, Chintala 2015, sections 4.3 and 5.1): the training images as 32x32
 * "min-resized center crops" (shorter side to 32, central 32x32), no augmentation, labels unused, mini-batches of
 * 128, Adam 0.0002 / 0.5 (dcgan-train's defaults). The paper gives no width for this model; its CIFAR-10 probe
 * concatenates D's layers max-pooled to 4x4 into 28,672 features, which for a 32px D of three conv layers
 * (W, 2W, 4W channels) means 16 x 7W = 28,672, W = 256: base width 256. It gives no epoch count either.
 *
 * Kernels stay 4x4 (dcgan-train's default), not the 5x5 of the authors' 64px LSUN and faces code: the 32px
 * ImageNet model the authors released as "the 32x32 imagenet model used in the paper" (Newmu/dcgan_code,
 * models/imagenet_gan_pretrain_128f_relu_lrelu_7l_3x3_256z, loaded by imagenet/load_pretrained.py) uses 3x3
 * kernels, in a 7-layer net that puts a stride-1 conv after each stride-2 one (D: 128, 128, 256, 256, 512, 512
 * channels, which also sum to 28,672 / 16 = 1,792; z has 256 dimensions). dcgan-train builds neither 3x3
 * kernels nor the extra stride-1 layers, so 5x5 would be no closer to the authors' model than 4x4; the
 * three-layer, base-width-256 D above keeps the paper's 28,672 probe features.
 */
export const imagenet32Settings: PaperSettings = Object.freeze({
  format: 'folder',
  size: 32,
  channels: 3,
  baseWidth: 256,
  kernelSize: 4,
  batchSize: 128,
  epochs: 5,
  seed: 1,
  sampleEvery: 500,
  checkpointEvery: 1000,
});
