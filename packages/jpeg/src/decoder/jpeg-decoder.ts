/**
 * A JPEG decoder that downscales in the DCT domain (as libjpeg's `scale_num/scale_denom` and PIL's `draft()`):
 * decoding a 256px photo straight to 64px skips most of the inverse DCT, the chroma upsampling and the colour
 * conversion, which is most of what a general decoder spends. It exists because training reads every image of LSUN
 * (3M JPEGs) each epoch and sharp's per-image cost was the input pipeline's ceiling.
 *
 * Scope, on purpose narrow: Huffman JPEGs, sequential or progressive (SOF0/SOF1/SOF2), 8-bit, 1 or 3 components
 * (gray or YCbCr), any sampling factors, restart intervals, interleaved or not. Everything else (arithmetic
 * coding, 12-bit, CMYK, Adobe RGB, an ICC profile other than sRGB, an EXIF rotation) and any file that is not
 * perfectly clean (a bad Huffman code, data that ends early, stray bytes before a marker, a wrong restart marker)
 * is declined with a reason, and the caller decodes it with a general decoder (sharp), which then decides whether
 * the image is usable. This decoder therefore never rejects an image on its own.
 *
 * The parts: markers.ts (segments), huffman.ts, scan-intervals.ts (restart intervals, byte unstuffing),
 * baseline-scan.ts, progressive-scan.ts, scaled-idct.ts, colour.ts; this file walks the markers.
 */
import { decodeScan } from './baseline-scan';
import { assemble } from './colour';
import { Decline, decline } from './decline';
import {
  isSrgbProfile,
  readExifOrientation,
  readFrameHeader,
  readHeaderSegments,
  readHuffmanTables,
  readQuantizationTables,
  readUint16,
} from './markers';
import { decodeProgressiveScan } from './progressive-scan';
import { renderCoefficients } from './scaled-idct';
import type { Component, Frame, HuffmanTable, JpegDecoder, ScaledJpeg } from './types';

function decodeFile(bytes: Uint8Array, minWidth: number, minHeight: number): ScaledJpeg {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) decline('not a JPEG (no SOI marker)');
  const quantization: (Int32Array | undefined)[] = [undefined, undefined, undefined, undefined];
  const dcTables: (HuffmanTable | undefined)[] = [undefined, undefined, undefined, undefined];
  const acTables: (HuffmanTable | undefined)[] = [undefined, undefined, undefined, undefined];
  let frame: Frame | undefined;
  let scale: 1 | 2 | 4 | 8 = 8;
  let restartInterval = 0;
  let position = 2;
  const iccChunks: { sequence: number; data: Uint8Array }[] = [];
  let iccChecked = false;
  for (;;) {
    if (position >= bytes.length) decline('file ends before the EOI marker');
    if (bytes[position] !== 0xff) decline('stray bytes between segments');
    while (position < bytes.length && bytes[position] === 0xff) position += 1;
    if (position >= bytes.length) decline('file ends before the EOI marker');
    const marker = bytes[position]!;
    position += 1;
    if (marker === 0xd9) break;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01)
      decline(`unexpected marker 0x${marker.toString(16)}`);
    const length = readUint16(bytes, position);
    const start = position + 2;
    const end = position + length;
    if (length < 2 || end > bytes.length) decline('truncated marker segment');
    switch (marker) {
      case 0xdb:
        readQuantizationTables(bytes, start, end, quantization);
        break;
      case 0xc4:
        readHuffmanTables(bytes, start, end, dcTables, acTables);
        break;
      case 0xc0:
      case 0xc1:
      case 0xc2: {
        if (frame !== undefined) decline('two frame headers');
        ({ frame, scale } = readFrameHeader(bytes, start, end, marker, minWidth, minHeight));
        break;
      }
      case 0xdd:
        restartInterval = readUint16(bytes, start);
        break;
      case 0xda: {
        if (frame === undefined) decline('scan before the frame header');
        if (!iccChecked) {
          iccChecked = true;
          // sharp converts an embedded profile to sRGB; for an sRGB profile that changes nothing, for others it does.
          if (iccChunks.length > 0 && !isSrgbProfile(iccChunks)) decline('embedded ICC profile');
        }
        const count = bytes[start]!;
        if (count < 1 || count > 4 || start + 1 + count * 2 + 3 > end) decline('invalid scan header');
        const spectralStart = bytes[start + 1 + count * 2]!;
        const spectralEnd = bytes[start + 2 + count * 2]!;
        const approximation = bytes[start + 3 + count * 2]!;
        // Which tables the scan reads: sequential scans both; progressive DC scans the DC table (refinements none),
        // progressive AC scans the AC table.
        const needsDc = !frame.progressive || (spectralStart === 0 && approximation >> 4 === 0);
        const needsAc = !frame.progressive || spectralStart > 0;
        const scanComponents: Component[] = [];
        for (let i = 0; i < count; i += 1) {
          const id = bytes[start + 1 + i * 2]!;
          const tables = bytes[start + 2 + i * 2]!;
          const component = frame.components.find((candidate) => candidate.id === id);
          if (component === undefined) decline('scan names an unknown component');
          component.dcTable = dcTables[tables >> 4];
          component.acTable = acTables[tables & 15];
          if ((needsDc && component.dcTable === undefined) || (needsAc && component.acTable === undefined))
            decline('scan uses an undefined Huffman table');
          if (quantization[component.quantizationTable] === undefined)
            decline('component uses an undefined quantization table');
          scanComponents.push(component);
        }
        if (frame.progressive) {
          for (const component of scanComponents)
            component.scanQuantization ??= quantization[component.quantizationTable]!.slice();
          position = decodeProgressiveScan(
            bytes,
            end,
            frame,
            scanComponents,
            spectralStart,
            spectralEnd,
            approximation >> 4,
            approximation & 15,
            restartInterval,
          );
        } else {
          if (spectralStart !== 0 || spectralEnd !== 63 || approximation !== 0) decline('not a sequential scan');
          position = decodeScan(bytes, end, frame, scanComponents, quantization, restartInterval);
        }
        continue;
      }
      case 0xe1:
        if (readExifOrientation(bytes, start, end) !== 1) decline('EXIF orientation');
        break;
      case 0xe2:
        if (end - start >= 14 && String.fromCharCode(...bytes.subarray(start, start + 11)) === 'ICC_PROFILE') {
          iccChunks.push({ sequence: bytes[start + 12]!, data: bytes.subarray(start + 14, end) });
        }
        break;
      case 0xee:
        if (
          end - start >= 12 &&
          bytes[start] === 0x41 &&
          bytes[start + 1] === 0x64 &&
          bytes[start + 2] === 0x6f &&
          bytes[start + 3] === 0x62 &&
          bytes[start + 4] === 0x65
        ) {
          if (bytes[start + 11] === 0 && frame?.components.length !== 1) decline('Adobe RGB/CMYK transform');
        }
        break;
      default:
        if ((marker >= 0xc2 && marker <= 0xcf) || marker === 0xdc || marker === 0xde || marker === 0xdf)
          decline(`unsupported marker 0x${marker.toString(16)}`);
    }
    position = end;
  }
  if (frame === undefined) decline('no frame header');
  for (const component of frame.components) {
    if (component.decodedBlocks === 0) decline('a component has no scan');
    if (frame.progressive) renderCoefficients(component);
  }
  return assemble(frame, scale);
}

/**
 * Creates a decoder.
 *
 * @example
 * const decoder = createJpegDecoder();
 * const result = decoder.decode(jpegBytes, 64, 64); // a 256x341 JPEG comes back as 64x86 (scale 1/4)
 */
export function createJpegDecoder(): JpegDecoder {
  return {
    decode(bytes, minWidth, minHeight) {
      try {
        return { ok: true, image: decodeFile(bytes, minWidth, minHeight) };
      } catch (error) {
        if (error instanceof Decline) return { ok: false, reason: error.message };
        // An index past a table or the input (corrupt data the checks above did not catch) is a decline as well:
        // the general decoder gets the final word on whether the file is usable.
        if (error instanceof RangeError || error instanceof TypeError)
          return { ok: false, reason: `decoder error: ${error.message}` };
        throw error;
      }
    },
    readHeader: readHeaderSegments,
  };
}
