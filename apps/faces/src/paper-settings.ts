import type { PaperSettings } from '@dcgan/cli';

/** The faces run's settings: `dcgan-train`'s plus the crop margin. */
export interface FacesSettings extends PaperSettings {
  /** Context around each face box, as a fraction of its longer side per side. */
  readonly margin: number;
}

/**
 * The paper's faces run (Radford, Metz, Chintala 2015, section 4.2): about 350,000 face boxes found by a face
 * detector in web photos of 10,000 people, trained at 64x64 with the same model and optimiser as LSUN (figure-1
 * generator, base width 128; batches of 128; Adam 0.0002 / 0.5), no augmentation. The paper gives no epoch count.
 *
 * Kernels are 5x5, as in the authors' faces script (Newmu/dcgan_code faces/train_uncond_dcgan.py: ngf = ndf =
 * 128, every conv and deconv 5x5, stride 2, pad 2); dcgan-train's default 4x4 is pytorch/examples' later choice.
 */
export const facesSettings: FacesSettings = Object.freeze({
  format: 'folder',
  size: 64,
  channels: 3,
  baseWidth: 128,
  kernelSize: 5,
  batchSize: 128,
  epochs: 5,
  margin: 0.25,
  seed: 1,
  sampleEvery: 500,
  checkpointEvery: 1000,
});
