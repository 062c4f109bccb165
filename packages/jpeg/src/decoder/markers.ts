// Marker segments: the frame header, quantisation and Huffman tables, and the APP segments that decide whether the
// decoder may handle a file at all (EXIF orientation, ICC profile).
import { Decline, decline } from './decline';
import { buildHuffmanTable } from './huffman';
import type { Component, Frame, HuffmanTable, JpegHeaderResult } from './types';

export function readUint16(bytes: Uint8Array, position: number): number {
  if (position + 1 >= bytes.length) decline('file ends inside a marker segment');
  return (bytes[position]! << 8) | bytes[position + 1]!;
}

/** The EXIF orientation of an APP1 segment's payload `[start, end)`; 1 (upright) when it holds none. */
export function readExifOrientation(bytes: Uint8Array, start: number, end: number): number {
  // "Exif\0\0" then a TIFF header; IFD0's tag 0x0112.
  if (
    end - start < 14 ||
    bytes[start] !== 0x45 ||
    bytes[start + 1] !== 0x78 ||
    bytes[start + 2] !== 0x69 ||
    bytes[start + 3] !== 0x66
  )
    return 1;
  const tiff = start + 6;
  const little = bytes[tiff] === 0x49;
  if (!little && bytes[tiff] !== 0x4d) decline('unreadable EXIF block');
  const u16 = (at: number): number => {
    if (at + 2 > end) decline('unreadable EXIF block');
    return little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
  };
  const u32 = (at: number): number => (little ? u16(at) + u16(at + 2) * 65536 : u16(at) * 65536 + u16(at + 2));
  const ifd = tiff + u32(tiff + 4);
  const entries = u16(ifd);
  for (let entry = 0; entry < entries; entry += 1) {
    const at = ifd + 2 + entry * 12;
    if (u16(at) === 0x0112) return u16(at + 8);
  }
  return 1;
}

/** Profiles whose transform to sRGB is the identity (sharp's output with and without them is the same). */
const srgbDescriptions = new Set(['sRGB', 'sRGB IEC61966-2.1', 'sRGB built-in']);

/** True when the ICC profile (APP2 chunks, any order) is an RGB profile described as plain sRGB. */
export function isSrgbProfile(chunks: { sequence: number; data: Uint8Array }[]): boolean {
  const ordered = [...chunks].sort((left, right) => left.sequence - right.sequence);
  const length = ordered.reduce((sum, chunk) => sum + chunk.data.length, 0);
  const profile = new Uint8Array(length);
  let at = 0;
  for (const chunk of ordered) {
    profile.set(chunk.data, at);
    at += chunk.data.length;
  }
  const u32 = (offset: number): number =>
    offset + 4 <= profile.length
      ? ((profile[offset]! << 24) |
          (profile[offset + 1]! << 16) |
          (profile[offset + 2]! << 8) |
          profile[offset + 3]!) >>>
        0
      : -1;
  const text = (offset: number, count: number): string =>
    String.fromCharCode(...profile.subarray(offset, offset + count));
  if (profile.length < 132 || text(16, 4) !== 'RGB ') return false;
  const tags = u32(128);
  for (let index = 0; index < tags && 132 + index * 12 + 12 <= profile.length; index += 1) {
    const entry = 132 + index * 12;
    if (text(entry, 4) !== 'desc') continue;
    const offset = u32(entry + 4);
    const type = text(offset, 4);
    let description: string | undefined;
    if (type === 'desc') {
      // ICC v2: uint32 count, then ASCII with a NUL.
      const count = u32(offset + 8);
      if (count > 0 && count < 256 && offset + 12 + count <= profile.length)
        description = text(offset + 12, count).replace(/\0+$/, '');
    } else if (type === 'mluc') {
      // ICC v4: records of (language, country, length, offset); take the first, UTF-16BE.
      const records = u32(offset + 8);
      const size = u32(offset + 20);
      const start = offset + u32(offset + 24);
      if (records > 0 && size > 0 && size < 512 && start + size <= profile.length) {
        description = '';
        for (let at = start; at + 1 < start + size; at += 2)
          description += String.fromCharCode((profile[at]! << 8) | profile[at + 1]!);
      }
    }
    return description !== undefined && srgbDescriptions.has(description.trim());
  }
  return false;
}

/** Reads the frame header without decoding any pixels. */
export function readHeaderSegments(bytes: Uint8Array): JpegHeaderResult {
  try {
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) decline('not a JPEG (no SOI marker)');
    let position = 2;
    for (;;) {
      while (position < bytes.length && bytes[position] !== 0xff) position += 1;
      while (position < bytes.length && bytes[position] === 0xff) position += 1;
      if (position >= bytes.length) decline('no frame header');
      const marker = bytes[position]!;
      position += 1;
      if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
        const height = readUint16(bytes, position + 3);
        const width = readUint16(bytes, position + 5);
        const components = bytes[position + 7];
        if (components !== 1 && components !== 3) decline(`${String(components)} components`);
        return { ok: true, width, height, components: components as 1 | 3 };
      }
      if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        decline(`unsupported frame type 0x${marker.toString(16)}`);
      if (marker === 0xd9 || marker === 0xda) decline('no frame header before the scan');
      position += readUint16(bytes, position);
    }
  } catch (error) {
    if (error instanceof Decline) return { ok: false, reason: error.message };
    throw error;
  }
}

/** A DQT segment's tables (8- or 16-bit entries) into `quantization` by id. */
export function readQuantizationTables(
  bytes: Uint8Array,
  start: number,
  end: number,
  quantization: (Int32Array | undefined)[],
): void {
  let at = start;
  while (at < end) {
    const precision = bytes[at]! >> 4;
    const id = bytes[at]! & 15;
    at += 1;
    if (id > 3 || precision > 1) decline('invalid quantization table');
    const table = new Int32Array(64);
    for (let k = 0; k < 64; k += 1) {
      table[k] = precision === 0 ? bytes[at + k]! : (bytes[at + 2 * k]! << 8) | bytes[at + 2 * k + 1]!;
    }
    at += precision === 0 ? 64 : 128;
    if (at > end) decline('truncated quantization table');
    quantization[id] = table;
  }
}

/** A DHT segment's tables into `dcTables` and `acTables` by id. */
export function readHuffmanTables(
  bytes: Uint8Array,
  start: number,
  end: number,
  dcTables: (HuffmanTable | undefined)[],
  acTables: (HuffmanTable | undefined)[],
): void {
  let at = start;
  while (at < end) {
    const tableClass = bytes[at]! >> 4;
    const id = bytes[at]! & 15;
    if (tableClass > 1 || id > 3 || at + 17 > end) decline('invalid Huffman table');
    const counts = bytes.subarray(at + 1, at + 17);
    let total = 0;
    for (let i = 0; i < 16; i += 1) total += counts[i]!;
    if (total > 256 || at + 17 + total > end) decline('invalid Huffman table');
    const table = buildHuffmanTable(counts, bytes.slice(at + 17, at + 17 + total));
    (tableClass === 0 ? dcTables : acTables)[id] = table;
    at += 17 + total;
  }
}

/**
 * A SOF0/SOF1/SOF2 segment: the frame, its components' geometry at the smallest DCT scale whose output still
 * covers `minWidth` x `minHeight`, and that scale (outputs per 8 pixels).
 */
export function readFrameHeader(
  bytes: Uint8Array,
  start: number,
  end: number,
  marker: number,
  minWidth: number,
  minHeight: number,
): { frame: Frame; scale: 1 | 2 | 4 | 8 } {
  if (bytes[start] !== 8) decline(`${String(bytes[start])}-bit samples`);
  const height = readUint16(bytes, start + 1);
  const width = readUint16(bytes, start + 3);
  const count = bytes[start + 5]!;
  if (height === 0) decline('height given by a DNL marker');
  if (width === 0) decline('zero width');
  // sharp's default pixel limit: bigger images are its call (it rejects them).
  if (width * height > 0x3fff * 0x3fff) decline('image larger than 268 megapixels');
  if (count !== 1 && count !== 3) decline(`${count} components`);
  if (start + 6 + count * 3 > end) decline('truncated frame header');
  const components: Component[] = [];
  let maxH = 1;
  let maxV = 1;
  for (let i = 0; i < count; i += 1) {
    const at = start + 6 + i * 3;
    const h = bytes[at + 1]! >> 4;
    const v = bytes[at + 1]! & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4 || bytes[at + 2]! > 3) decline('invalid component');
    maxH = Math.max(maxH, h);
    maxV = Math.max(maxV, v);
    components.push({
      id: bytes[at]!,
      h,
      v,
      quantizationTable: bytes[at + 2]!,
      blockWidth: 8,
      blockHeight: 8,
      planeWidth: 0,
      planeHeight: 0,
      plane: new Uint8ClampedArray(0),
      basis: new Float64Array(0),
      contributes: new Uint8Array(0),
      blocksPerLine: 0,
      blocksPerColumn: 0,
      decodedBlocks: 0,
      coefficients: new Int16Array(0),
      scanQuantization: undefined,
      dcTable: undefined,
      acTable: undefined,
      predictor: 0,
    });
  }
  if (count === 3 && components[0]!.id === 82 && components[1]!.id === 71 && components[2]!.id === 66)
    decline('RGB components');
  for (const component of components) {
    if (maxH % component.h !== 0 || maxV % component.v !== 0) decline('non-integral sampling factors');
  }
  // Smallest scale whose output still covers the requested size.
  let scale = 8;
  for (const candidate of [1, 2, 4]) {
    if (Math.ceil((width * candidate) / 8) >= minWidth && Math.ceil((height * candidate) / 8) >= minHeight) {
      scale = candidate;
      break;
    }
  }
  const mcusPerLine = Math.ceil(width / (8 * maxH));
  const mcusPerColumn = Math.ceil(height / (8 * maxV));
  for (const component of components) {
    // Subsampled components are scaled up by the IDCT rather than upsampled afterwards (as libjpeg does).
    component.blockWidth = Math.min(8, (scale * maxH) / component.h);
    component.blockHeight = Math.min(8, (scale * maxV) / component.v);
    // Sampling ratios of 3 want 3-, 6- or 12-pixel blocks at reduced scales: neither a size the scaled IDCT
    // has nor a whole upsampling factor.
    for (const wanted of [(scale * maxH) / component.h, (scale * maxV) / component.v]) {
      if (wanted <= 8 ? 8 % wanted !== 0 : wanted % 8 !== 0) decline('sampling factors of 3 at a reduced scale');
    }
    component.planeWidth = mcusPerLine * component.h * component.blockWidth;
    component.planeHeight = mcusPerColumn * component.v * component.blockHeight;
    component.plane = new Uint8ClampedArray(component.planeWidth * component.planeHeight);
    component.blocksPerLine = Math.ceil(Math.ceil((width * component.h) / maxH) / 8);
    component.blocksPerColumn = Math.ceil(Math.ceil((height * component.v) / maxV) / 8);
    if (marker === 0xc2)
      component.coefficients = new Int16Array(mcusPerLine * component.h * mcusPerColumn * component.v * 64);
  }
  const frame: Frame = {
    width,
    height,
    components,
    maxH,
    maxV,
    mcusPerLine,
    mcusPerColumn,
    progressive: marker === 0xc2,
  };
  return { frame, scale: scale as 1 | 2 | 4 | 8 };
}
