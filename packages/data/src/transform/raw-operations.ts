import type { ChannelCount, RawImage } from '../image/raw-image';

/** Copies the `width` x `height` region at (`left`, `top`) out of a raw image. */
export function cropRaw(image: RawImage, left: number, top: number, width: number, height: number): RawImage {
  const { channels } = image;
  if (left === 0 && top === 0 && width === image.width && height === image.height) return image;
  const data = new Uint8Array(width * height * channels);
  const rowBytes = width * channels;
  for (let row = 0; row < height; row += 1) {
    const start = ((top + row) * image.width + left) * channels;
    data.set(image.data.subarray(start, start + rowBytes), row * rowBytes);
  }
  return { width, height, channels, data };
}

/** Central crop; when the requested size exceeds the image the image's size is used on that axis. */
export function centerCropRaw(image: RawImage, width: number | undefined, height: number | undefined): RawImage {
  const side = Math.min(image.width, image.height);
  const targetWidth = Math.min(width ?? side, image.width);
  const targetHeight = Math.min(height ?? side, image.height);
  const left = Math.floor((image.width - targetWidth) / 2);
  const top = Math.floor((image.height - targetHeight) / 2);
  return cropRaw(image, left, top, targetWidth, targetHeight);
}

/** Pads, centred, to at least `width` x `height` with byte `value`. Larger images are left unchanged on that axis. */
export function padRaw(image: RawImage, width: number, height: number, value: number): RawImage {
  const targetWidth = Math.max(width, image.width);
  const targetHeight = Math.max(height, image.height);
  if (targetWidth === image.width && targetHeight === image.height) return image;
  const { channels } = image;
  const data = new Uint8Array(targetWidth * targetHeight * channels);
  if (value !== 0) data.fill(value);
  const left = Math.floor((targetWidth - image.width) / 2);
  const top = Math.floor((targetHeight - image.height) / 2);
  const rowBytes = image.width * channels;
  for (let row = 0; row < image.height; row += 1) {
    const source = row * rowBytes;
    data.set(image.data.subarray(source, source + rowBytes), ((top + row) * targetWidth + left) * channels);
  }
  return { width: targetWidth, height: targetHeight, channels, data };
}

/** Mirrors left-right. */
export function flipHorizontalRaw(image: RawImage): RawImage {
  const { width, height, channels } = image;
  const data = new Uint8Array(image.data.length);
  for (let row = 0; row < height; row += 1) {
    const rowStart = row * width * channels;
    for (let column = 0; column < width; column += 1) {
      const source = rowStart + column * channels;
      const target = rowStart + (width - 1 - column) * channels;
      for (let channel = 0; channel < channels; channel += 1) data[target + channel] = image.data[source + channel]!;
    }
  }
  return { width, height, channels, data };
}

/**
 * Converts between gray(+alpha) and RGB(A). Alpha is composited over black; RGB to gray uses BT.601 luma
 * (0.299 R + 0.587 G + 0.114 B, rounded), the weights PIL's `convert('L')` uses.
 */
export function convertChannelsRaw(image: RawImage, channels: 1 | 3): RawImage {
  if (image.channels === channels) return image;
  const { width, height } = image;
  const pixels = width * height;
  const source = image.data;
  const sourceChannels: ChannelCount = image.channels;
  const hasAlpha = sourceChannels === 2 || sourceChannels === 4;
  const data = new Uint8Array(pixels * channels);
  for (let pixel = 0; pixel < pixels; pixel += 1) {
    const offset = pixel * sourceChannels;
    let red: number;
    let green: number;
    let blue: number;
    if (sourceChannels <= 2) {
      red = green = blue = source[offset]!;
    } else {
      red = source[offset]!;
      green = source[offset + 1]!;
      blue = source[offset + 2]!;
    }
    if (hasAlpha) {
      const alpha = source[offset + sourceChannels - 1]! / 255;
      red *= alpha;
      green *= alpha;
      blue *= alpha;
    }
    if (channels === 1) {
      data[pixel] = Math.round(sourceChannels <= 2 ? red : 0.299 * red + 0.587 * green + 0.114 * blue);
    } else {
      data[pixel * 3] = Math.round(red);
      data[pixel * 3 + 1] = Math.round(green);
      data[pixel * 3 + 2] = Math.round(blue);
    }
  }
  return { width, height, channels, data };
}
