import type { JpegDecoder } from './decoder/types';
import type { Resample } from './resample';

/** The resize a transform starts with, as the decoder sees it (sharp's `fit: 'outside'` or `'fill'`). */
export interface FastDecodeRequest {
  readonly fit: 'outside' | 'fill';
  readonly width: number;
  readonly height: number;
  /** Cut this region (full-resolution pixels, inside the image) first; the resize applies to it. */
  readonly crop?: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
}

/** Decoded and resized pixels, or why the fast path declined (the caller then uses sharp). */
export type FastDecodeResult =
  | {
      readonly ok: true;
      readonly width: number;
      readonly height: number;
      readonly channels: 3;
      readonly data: Uint8Array;
      readonly scale: number;
    }
  | { readonly ok: false; readonly reason: string };

export type FastDecode = (bytes: Uint8Array, request: FastDecodeRequest) => FastDecodeResult;

/**
 * Builds the fast path's whole job: decode a JPEG at the smallest DCT scale that still covers the requested size,
 * then resample (antialiased bilinear) to exactly that size. `fit: 'outside'` gives the size sharp would give:
 * the shorter side at the requested size, the other rounded.
 *
 * @example
 * const decode = createFastDecode(createJpegDecoder(), createResampler());
 * const result = decode(jpegBytes, { fit: 'outside', width: 64, height: 64 });
 */
export function createFastDecode(decoder: JpegDecoder, resample: Resample): FastDecode {
  return (bytes, request) => {
    const header = decoder.readHeader(bytes);
    if (!header.ok) return header;
    const crop = request.crop ?? { left: 0, top: 0, width: header.width, height: header.height };
    if (
      crop.left < 0 ||
      crop.top < 0 ||
      crop.width < 1 ||
      crop.height < 1 ||
      crop.left + crop.width > header.width ||
      crop.top + crop.height > header.height
    ) {
      return { ok: false, reason: 'crop outside the image' };
    }
    let width = request.width;
    let height = request.height;
    if (request.fit === 'outside') {
      if (crop.width / request.width < crop.height / request.height) {
        height = Math.max(1, Math.round((crop.height * request.width) / crop.width));
      } else {
        width = Math.max(1, Math.round((crop.width * request.height) / crop.height));
      }
    }
    // The smallest DCT scale at which the crop still has at least the target's pixels.
    const decoded = decoder.decode(
      bytes,
      Math.ceil((width * header.width) / crop.width),
      Math.ceil((height * header.height) / crop.height),
    );
    if (!decoded.ok) return decoded;
    const image = decoded.image;
    const factor = image.scale / 8;
    const box =
      request.crop === undefined
        ? undefined
        : {
            left: crop.left * factor,
            top: crop.top * factor,
            width: crop.width * factor,
            height: crop.height * factor,
          };
    const resized = resample(image.data, image.width, image.height, image.channels, width, height, box);
    if (image.channels === 3) return { ok: true, width, height, channels: 3, data: resized, scale: image.scale };
    // Gray JPEGs come out as RGB, as from sharp (which converts to sRGB), so a dataset's images agree in shape.
    const data = new Uint8Array(width * height * 3);
    for (let index = 0; index < resized.length; index += 1) {
      const value = resized[index]!;
      data[index * 3] = value;
      data[index * 3 + 1] = value;
      data[index * 3 + 2] = value;
    }
    return { ok: true, width, height, channels: 3, data, scale: image.scale };
  };
}
