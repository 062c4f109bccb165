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
 * is declined with a reason, and the caller decodes it with sharp, which then decides whether the image is usable.
 * This decoder therefore never rejects an image on its own.
 *
 * Everything lives inside {@link createJpegDecoder} so that worker threads can evaluate the same code from its
 * source text (`createJpegDecoder.toString()`), from the built package and from the TypeScript sources alike. The
 * function must stay self-contained: no imports, no references to anything outside its body.
 */

/** Pixels decoded at a reduced scale: gray (1 channel) or RGB (3), row-major, interleaved. */
export interface ScaledJpeg {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
  /** Size of the full-resolution image. */
  readonly fullWidth: number;
  readonly fullHeight: number;
  /** Pixels of output per 8 pixels of input: 1, 2, 4 or 8 (1/8, 1/4, 1/2 or full scale). */
  readonly scale: 1 | 2 | 4 | 8;
}

/** The decoder's answer: pixels, or why it declined (the caller then uses a general decoder). */
export type JpegDecodeResult = { readonly ok: true; readonly image: ScaledJpeg } | { readonly ok: false; readonly reason: string };

/** Size and decodability of a JPEG, read from its headers only. */
export type JpegHeaderResult =
  | { readonly ok: true; readonly width: number; readonly height: number; readonly components: 1 | 3 }
  | { readonly ok: false; readonly reason: string };

export interface JpegDecoder {
  /**
   * Decodes at the smallest DCT scale (1/8, 1/4, 1/2 or 1) whose output is still at least `minWidth` x `minHeight`
   * (full scale when the image is smaller than that).
   */
  decode(bytes: Uint8Array, minWidth: number, minHeight: number): JpegDecodeResult;
  /** Reads the frame header without decoding any pixels. */
  readHeader(bytes: Uint8Array): JpegHeaderResult;
}

/**
 * Creates a decoder. Self-contained on purpose (see the module comment): workers evaluate its source text.
 *
 * @example
 * const decoder = createJpegDecoder();
 * const result = decoder.decode(jpegBytes, 64, 64); // a 256x341 JPEG comes back as 64x86 (scale 1/4)
 */
export function createJpegDecoder(): JpegDecoder {
  // Natural (row-major) index of the k-th coefficient in zigzag order.
  const zigzag = new Uint8Array([
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43,
    36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
  ]);

  class Decline extends Error {}
  function decline(reason: string): never {
    throw new Decline(reason);
  }

  /**
   * Rows = outputs, columns = frequencies: the 8-point inverse DCT averaged over groups of 8/size pixels. Even
   * frequencies >= 2 sum to zero over such groups, so a scaled output is exactly the box average of the full-size
   * inverse DCT (the reduced IDCTs of libjpeg compute the same thing in fixed point).
   */
  const scaledIdctMatrices = new Map<number, Float64Array>();
  for (const size of [1, 2, 4, 8]) {
    const group = 8 / size;
    const matrix = new Float64Array(size * 8);
    for (let output = 0; output < size; output += 1) {
      for (let frequency = 0; frequency < 8; frequency += 1) {
        const weight = frequency === 0 ? Math.SQRT1_2 / 2 : 0.5;
        let sum = 0;
        for (let x = output * group; x < (output + 1) * group; x += 1) sum += Math.cos(((2 * x + 1) * frequency * Math.PI) / 16);
        const value = (weight * sum) / group;
        matrix[output * 8 + frequency] = Math.abs(value) < 1e-12 ? 0 : value;
      }
    }
    scaledIdctMatrices.set(size, matrix);
  }

  interface HuffmanTable {
    /** 9-bit lookahead: (code length << 8) | symbol, or 0 when the code is longer than 9 bits. */
    readonly lookup: Uint16Array;
    /** Largest code of each length (index 1..16), -1 when none; 17 holds a sentinel. */
    readonly maxCode: Int32Array;
    /** Offset into `symbols` minus the first code of each length. */
    readonly offset: Int32Array;
    readonly symbols: Uint8Array;
    /**
     * For AC tables, a code and its value bits that fit in 9 bits decoded in one look-up: (run << 8) | bits used
     * (0 when not possible), and the coefficient value.
     */
    readonly fastRunLength: Uint16Array;
    readonly fastValue: Int16Array;
  }

  function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
    const lookup = new Uint16Array(512);
    const maxCode = new Int32Array(18).fill(-1);
    const offset = new Int32Array(18);
    let code = 0;
    let index = 0;
    for (let length = 1; length <= 16; length += 1) {
      const count = counts[length - 1]!;
      offset[length] = index - code;
      if (count > 0) {
        for (let i = 0; i < count; i += 1) {
          if (length <= 9) {
            const shift = 9 - length;
            const first = code << shift;
            const entry = (length << 8) | symbols[index]!;
            for (let fill = 0; fill < 1 << shift; fill += 1) lookup[first + fill] = entry;
          }
          code += 1;
          index += 1;
        }
        maxCode[length] = code - 1;
        if (code > 1 << length) decline('invalid Huffman table (too many codes)');
      }
      code <<= 1;
    }
    maxCode[17] = 0x7fffffff;
    const fastRunLength = new Uint16Array(512);
    const fastValue = new Int16Array(512);
    for (let look = 0; look < 512; look += 1) {
      const entry = lookup[look]!;
      if (entry === 0) continue;
      const length = entry >> 8;
      const symbol = entry & 255;
      const size = symbol & 15;
      if (size === 0 || length + size > 9) continue;
      const raw = (look >> (9 - length - size)) & ((1 << size) - 1);
      fastValue[look] = raw < 1 << (size - 1) ? raw - (1 << size) + 1 : raw;
      fastRunLength[look] = ((symbol >> 4) << 8) | (length + size);
    }
    return { lookup, maxCode, offset, symbols, fastRunLength, fastValue };
  }

  interface Component {
    readonly id: number;
    readonly h: number;
    readonly v: number;
    readonly quantizationTable: number;
    /** Outputs per block, horizontally and vertically (1, 2, 4 or 8). */
    blockWidth: number;
    blockHeight: number;
    planeWidth: number;
    planeHeight: number;
    plane: Uint8ClampedArray;
    /** Dequantised scaled-IDCT basis of each zigzag coefficient (64 x outputs) and whether it adds anything. */
    basis: Float64Array;
    contributes: Uint8Array;
    blocksPerLine: number;
    blocksPerColumn: number;
    decodedBlocks: number;
    /** Progressive JPEGs: every block's quantised coefficients (zigzag order), MCU-padded grid. */
    coefficients: Int16Array;
    /** The quantisation table as of the component's first scan (progressive JPEGs). */
    scanQuantization: Int32Array | undefined;
    dcTable: HuffmanTable | undefined;
    acTable: HuffmanTable | undefined;
    predictor: number;
  }

  interface Frame {
    readonly width: number;
    readonly height: number;
    readonly components: Component[];
    readonly maxH: number;
    readonly maxV: number;
    readonly mcusPerLine: number;
    readonly mcusPerColumn: number;
    readonly progressive: boolean;
  }

  function readUint16(bytes: Uint8Array, position: number): number {
    if (position + 1 >= bytes.length) decline('file ends inside a marker segment');
    return (bytes[position]! << 8) | bytes[position + 1]!;
  }

  function readExifOrientation(bytes: Uint8Array, start: number, end: number): number {
    // "Exif\0\0" then a TIFF header; IFD0's tag 0x0112.
    if (end - start < 14 || bytes[start] !== 0x45 || bytes[start + 1] !== 0x78 || bytes[start + 2] !== 0x69 || bytes[start + 3] !== 0x66) return 1;
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
  function isSrgbProfile(chunks: { sequence: number; data: Uint8Array }[]): boolean {
    const ordered = [...chunks].sort((left, right) => left.sequence - right.sequence);
    const length = ordered.reduce((sum, chunk) => sum + chunk.data.length, 0);
    const profile = new Uint8Array(length);
    let at = 0;
    for (const chunk of ordered) {
      profile.set(chunk.data, at);
      at += chunk.data.length;
    }
    const u32 = (offset: number): number => (offset + 4 <= profile.length ? ((profile[offset]! << 24) | (profile[offset + 1]! << 16) | (profile[offset + 2]! << 8) | profile[offset + 3]!) >>> 0 : -1);
    const text = (offset: number, count: number): string => String.fromCharCode(...profile.subarray(offset, offset + count));
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
        if (count > 0 && count < 256 && offset + 12 + count <= profile.length) description = text(offset + 12, count).replace(/\0+$/, '');
      } else if (type === 'mluc') {
        // ICC v4: records of (language, country, length, offset); take the first, UTF-16BE.
        const records = u32(offset + 8);
        const size = u32(offset + 20);
        const start = offset + u32(offset + 24);
        if (records > 0 && size > 0 && size < 512 && start + size <= profile.length) {
          description = '';
          for (let at = start; at + 1 < start + size; at += 2) description += String.fromCharCode((profile[at]! << 8) | profile[at + 1]!);
        }
      }
      return description !== undefined && srgbDescriptions.has(description.trim());
    }
    return false;
  }

  function readHeaderSegments(bytes: Uint8Array): JpegHeaderResult {
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
        if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) decline(`unsupported frame type 0x${marker.toString(16)}`);
        if (marker === 0xd9 || marker === 0xda) decline('no frame header before the scan');
        position += readUint16(bytes, position);
      }
    } catch (error) {
      if (error instanceof Decline) return { ok: false, reason: error.message };
      throw error;
    }
  }

  function decodeFile(bytes: Uint8Array, minWidth: number, minHeight: number): ScaledJpeg {
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) decline('not a JPEG (no SOI marker)');
    const quantization: (Int32Array | undefined)[] = [undefined, undefined, undefined, undefined];
    const dcTables: (HuffmanTable | undefined)[] = [undefined, undefined, undefined, undefined];
    const acTables: (HuffmanTable | undefined)[] = [undefined, undefined, undefined, undefined];
    let frame: Frame | undefined;
    let scale = 8;
    let restartInterval = 0;
    let position = 2;
    let sawEnd = false;
    const iccChunks: { sequence: number; data: Uint8Array }[] = [];
    let iccChecked = false;
    while (!sawEnd) {
      if (position >= bytes.length) decline('file ends before the EOI marker');
      if (bytes[position] !== 0xff) decline('stray bytes between segments');
      while (position < bytes.length && bytes[position] === 0xff) position += 1;
      if (position >= bytes.length) decline('file ends before the EOI marker');
      const marker = bytes[position]!;
      position += 1;
      if (marker === 0xd9) {
        sawEnd = true;
        break;
      }
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) decline(`unexpected marker 0x${marker.toString(16)}`);
      const length = readUint16(bytes, position);
      const start = position + 2;
      const end = position + length;
      if (length < 2 || end > bytes.length) decline('truncated marker segment');
      switch (marker) {
        case 0xdb: {
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
          break;
        }
        case 0xc4: {
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
          break;
        }
        case 0xc0:
        case 0xc1:
        case 0xc2: {
          if (frame !== undefined) decline('two frame headers');
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
          if (count === 3 && components[0]!.id === 82 && components[1]!.id === 71 && components[2]!.id === 66) decline('RGB components');
          for (const component of components) {
            if (maxH % component.h !== 0 || maxV % component.v !== 0) decline('non-integral sampling factors');
          }
          // Smallest scale whose output still covers the requested size.
          scale = 8;
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
            if (marker === 0xc2) component.coefficients = new Int16Array(mcusPerLine * component.h * mcusPerColumn * component.v * 64);
          }
          frame = { width, height, components, maxH, maxV, mcusPerLine, mcusPerColumn, progressive: marker === 0xc2 };
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
            if ((needsDc && component.dcTable === undefined) || (needsAc && component.acTable === undefined)) decline('scan uses an undefined Huffman table');
            if (quantization[component.quantizationTable] === undefined) decline('component uses an undefined quantization table');
            scanComponents.push(component);
          }
          if (frame.progressive) {
            for (const component of scanComponents) component.scanQuantization ??= quantization[component.quantizationTable]!.slice();
            position = decodeProgressiveScan(bytes, end, frame, scanComponents, spectralStart, spectralEnd, approximation >> 4, approximation & 15, restartInterval);
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
          if (end - start >= 12 && bytes[start] === 0x41 && bytes[start + 1] === 0x64 && bytes[start + 2] === 0x6f && bytes[start + 3] === 0x62 && bytes[start + 4] === 0x65) {
            if (bytes[start + 11] === 0 && frame?.components.length !== 1) decline('Adobe RGB/CMYK transform');
          }
          break;
        default:
          if ((marker >= 0xc2 && marker <= 0xcf) || marker === 0xdc || marker === 0xde || marker === 0xdf) decline(`unsupported marker 0x${marker.toString(16)}`);
      }
      position = end;
    }
    if (frame === undefined) decline('no frame header');
    for (const component of frame.components) {
      if (component.decodedBlocks === 0) decline('a component has no scan');
      if (frame.progressive) renderCoefficients(component);
    }
    return assemble(frame, scale as 1 | 2 | 4 | 8);
  }

  /** Per-component tables for one scan: the dequantised, scaled IDCT basis of each coefficient (zigzag order). */
  function prepareComponent(component: Component, quantization: Int32Array): void {
    const outWidth = component.blockWidth;
    const outHeight = component.blockHeight;
    const outputs = outWidth * outHeight;
    const horizontal = scaledIdctMatrices.get(outWidth)!;
    const vertical = scaledIdctMatrices.get(outHeight)!;
    const basis = new Float64Array(64 * outputs);
    const contributes = new Uint8Array(64);
    for (let k = 0; k < 64; k += 1) {
      const natural = zigzag[k]!;
      const u = natural & 7;
      const v = natural >> 3;
      for (let y = 0; y < outHeight; y += 1) {
        for (let x = 0; x < outWidth; x += 1) {
          const value = vertical[y * 8 + v]! * horizontal[x * 8 + u]! * quantization[k]!;
          basis[k * outputs + y * outWidth + x] = value;
          if (value !== 0) contributes[k] = 1;
        }
      }
    }
    component.basis = basis;
    component.contributes = contributes;
  }

  /**
   * Decodes a Huffman code longer than the 9-bit look-up (rare): returns (code length << 8) | symbol. `bits` >= 16
   * holds: the caller refilled before looking up.
   */
  function decodeLongCode(table: HuffmanTable, accumulator: number, bits: number): number {
    for (let codeLength = 10; codeLength <= 16; codeLength += 1) {
      const code = (accumulator >>> (bits - codeLength)) & ((1 << codeLength) - 1);
      if (code <= table.maxCode[codeLength]!) {
        const symbol = table.symbols[table.offset[codeLength]! + code];
        if (symbol === undefined) break;
        return (codeLength << 8) | symbol;
      }
    }
    return decline('bad Huffman code');
  }

  /** Checks the RSTn marker expected at `position` (n = restarts seen, mod 8); returns the position after it. */
  function skipRestartMarker(bytes: Uint8Array, position: number, restartsSeen: number): number {
    if (position + 1 >= bytes.length || bytes[position] !== 0xff || bytes[position + 1] !== 0xd0 + (restartsSeen & 7)) decline('missing or wrong restart marker');
    return position + 2;
  }

  /**
   * The encoder pads an interval's last byte with 1 bits: decoding must end inside that byte, no sooner (stray
   * bytes, which libjpeg warns about) and no later (the data ended early and zeros were decoded).
   */
  function checkIntervalEnd(consumedBits: number, availableBytes: number): void {
    if (consumedBits > availableBytes * 8) decline('data ends early');
    if (availableBytes > 0 && consumedBits <= (availableBytes - 1) * 8) decline('stray bytes before a marker');
  }

  /** A scan's MCUs: every component's blocks in turn when interleaved, else one block of its single component. */
  function scanGeometry(frame: Frame, components: Component[]): { interleaved: boolean; mcusPerLine: number; totalMcus: number } {
    const first = components[0]!;
    return components.length > 1
      ? { interleaved: true, mcusPerLine: frame.mcusPerLine, totalMcus: frame.mcusPerLine * frame.mcusPerColumn }
      : { interleaved: false, mcusPerLine: first.blocksPerLine, totalMcus: first.blocksPerLine * first.blocksPerColumn };
  }

  interface ScanInterval {
    /** Bytes of the interval in `clean`; MCUs [firstMcu, endMcu). */
    readonly available: number;
    readonly firstMcu: number;
    readonly endMcu: number;
    /** True after an RSTn marker: DC predictors (and progressive end-of-band runs) start again. */
    readonly restarted: boolean;
  }

  /**
   * A scan's restart intervals, one after another: `next()` checks the RSTn marker before an interval and unstuffs
   * its bytes into `clean`; `end(consumedBits)` checks that decoding stopped in the interval's last byte; `finish()`
   * checks the marker after the scan and returns its position. The decoding loops stay in their own functions, with
   * their bit readers in local variables.
   */
  function scanIntervals(bytes: Uint8Array, dataStart: number, totalMcus: number, restartInterval: number) {
    // An interval's bytes, unstuffed, with zeros after them: reads past the end see zero bits.
    const clean = new Uint8Array(bytes.length - dataStart + 8);
    const cleanEnd = { position: dataStart };
    let position = dataStart;
    let restartsSeen = 0;
    let mcu = 0;
    let available = 0;
    return {
      clean,
      next(): ScanInterval | undefined {
        if (mcu >= totalMcus) return undefined;
        const restarted = mcu > 0;
        if (restarted) {
          position = skipRestartMarker(bytes, position, restartsSeen);
          restartsSeen += 1;
        }
        available = unstuff(bytes, position, clean, cleanEnd);
        position = cleanEnd.position;
        const firstMcu = mcu;
        mcu = restartInterval > 0 ? Math.min(totalMcus, mcu + restartInterval) : totalMcus;
        return { available, firstMcu, endMcu: mcu, restarted };
      },
      end(consumedBits: number): void {
        checkIntervalEnd(consumedBits, available);
      },
      finish(): number {
        if (position >= bytes.length || bytes[position] !== 0xff) decline('file ends inside the scan');
        return position;
      },
    };
  }

  /**
   * Copies one restart interval's entropy-coded bytes into `clean` with the stuffed zero bytes (0xFF 0x00) removed.
   * Stops at the next marker (or the end of the file). Returns the number of bytes written; `cleanEnd.position`
   * is left at the marker.
   */
  function unstuff(bytes: Uint8Array, start: number, clean: Uint8Array, cleanEnd: { position: number }): number {
    let written = 0;
    let position = start;
    const length = bytes.length;
    while (position < length) {
      const byte = bytes[position]!;
      if (byte === 0xff) {
        if (position + 1 < length && bytes[position + 1] === 0) {
          clean[written] = 0xff;
          written += 1;
          position += 2;
          continue;
        }
        break;
      }
      clean[written] = byte;
      written += 1;
      position += 1;
    }
    cleanEnd.position = position;
    return written;
  }

  /** Decodes one sequential scan into the components' planes. Returns the position of the marker after it. */
  function decodeScan(bytes: Uint8Array, dataStart: number, frame: Frame, components: Component[], quantization: (Int32Array | undefined)[], restartInterval: number): number {
    for (const component of components) {
      prepareComponent(component, quantization[component.quantizationTable]!);
      component.predictor = 0;
    }
    const { interleaved, mcusPerLine, totalMcus } = scanGeometry(frame, components);
    // The blocks of one MCU: component, and the block's row and column inside the MCU.
    const blockComponents: Component[] = [];
    const blockRows: number[] = [];
    const blockColumns: number[] = [];
    for (const component of components) {
      const rows = interleaved ? component.v : 1;
      const columns = interleaved ? component.h : 1;
      for (let v = 0; v < rows; v += 1) {
        for (let h = 0; h < columns; h += 1) {
          blockComponents.push(component);
          blockRows.push(v);
          blockColumns.push(h);
        }
      }
    }
    const blocksPerMcu = blockComponents.length;
    const output = new Float64Array(64);
    const intervals = scanIntervals(bytes, dataStart, totalMcus, restartInterval);
    const clean = intervals.clean;
    for (let interval = intervals.next(); interval !== undefined; interval = intervals.next()) {
      if (interval.restarted) for (const component of components) component.predictor = 0;
      const available = interval.available;
      let read = 0;
      let accumulator = 0;
      let bits = 0;
      for (let mcu = interval.firstMcu; mcu < interval.endMcu; mcu += 1) {
        // Past the interval's bytes (plus a little for look-ahead): a damaged header or data; stop early rather
        // than decode millions of blocks of zeros.
        if (read > available + 8) decline('data ends early');
        const mcuRow = Math.floor(mcu / mcusPerLine);
        const mcuColumn = mcu - mcuRow * mcusPerLine;
        for (let blockIndex = 0; blockIndex < blocksPerMcu; blockIndex += 1) {
          const component = blockComponents[blockIndex]!;
          const blockRow = interleaved ? mcuRow * component.v + blockRows[blockIndex]! : mcuRow;
          const blockColumn = interleaved ? mcuColumn * component.h + blockColumns[blockIndex]! : mcuColumn;
          const dcTable = component.dcTable!;
          const acTable = component.acTable!;
          const fastRunLength = acTable.fastRunLength;
          const fastValue = acTable.fastValue;
          const basis = component.basis;
          const contributes = component.contributes;
          const outWidth = component.blockWidth;
          const outputs = outWidth * component.blockHeight;

          // DC: a Huffman-coded size, then that many bits of difference from the previous block's DC.
          while (bits <= 24) {
            accumulator = (accumulator << 8) | (clean[read]! | 0);
            read += 1;
            bits += 8;
          }
          let symbol: number;
          let entry = dcTable.lookup[(accumulator >>> (bits - 9)) & 511]!;
          if (entry !== 0) {
            bits -= entry >> 8;
            symbol = entry & 255;
          } else {
            const slow = decodeLongCode(dcTable, accumulator, bits);
            bits -= slow >> 8;
            symbol = slow & 255;
          }
          if (symbol > 11) decline('bad DC coefficient size');
          if (symbol !== 0) {
            if (bits < symbol) {
              while (bits <= 24) {
                accumulator = (accumulator << 8) | (clean[read]! | 0);
                read += 1;
                bits += 8;
              }
            }
            bits -= symbol;
            const value = (accumulator >>> bits) & ((1 << symbol) - 1);
            component.predictor += value < 1 << (symbol - 1) ? value - (1 << symbol) + 1 : value;
          }
          const dc = component.predictor * basis[0]!;
          for (let j = 0; j < outputs; j += 1) output[j] = dc;
          let flat = true;

          // AC: (run of zeros, size) symbols, each followed by `size` bits of value, until end-of-block.
          for (let k = 1; k < 64; ) {
            while (bits <= 24) {
              accumulator = (accumulator << 8) | (clean[read]! | 0);
              read += 1;
              bits += 8;
            }
            const look = (accumulator >>> (bits - 9)) & 511;
            const fast = fastRunLength[look]!;
            if (fast !== 0) {
              bits -= fast & 255;
              k += fast >> 8;
              if (k > 63) decline('AC coefficient index past 63');
              if (contributes[k] === 1) {
                const value = fastValue[look]!;
                const base = k * outputs;
                for (let j = 0; j < outputs; j += 1) output[j] = output[j]! + value * basis[base + j]!;
                flat = false;
              }
              k += 1;
              continue;
            }
            entry = acTable.lookup[look]!;
            if (entry !== 0) {
              bits -= entry >> 8;
              symbol = entry & 255;
            } else {
              const slow = decodeLongCode(acTable, accumulator, bits);
              bits -= slow >> 8;
              symbol = slow & 255;
            }
            const size = symbol & 15;
            if (size === 0) {
              if (symbol !== 0xf0) break;
              k += 16;
              continue;
            }
            k += symbol >> 4;
            if (k > 63) decline('AC coefficient index past 63');
            if (bits < size) {
              while (bits <= 24) {
                accumulator = (accumulator << 8) | (clean[read]! | 0);
                read += 1;
                bits += 8;
              }
            }
            bits -= size;
            if (contributes[k] === 1) {
              const raw = (accumulator >>> bits) & ((1 << size) - 1);
              const value = raw < 1 << (size - 1) ? raw - (1 << size) + 1 : raw;
              const base = k * outputs;
              for (let j = 0; j < outputs; j += 1) output[j] = output[j]! + value * basis[base + j]!;
              flat = false;
            }
            k += 1;
          }

          // Write the block's outputs (the plane is a Uint8ClampedArray: rounds and clamps).
          const plane = component.plane;
          const stride = component.planeWidth;
          let offset = blockRow * component.blockHeight * stride + blockColumn * outWidth;
          if (flat) {
            const value = output[0]! + 128;
            for (let y = 0; y < component.blockHeight; y += 1, offset += stride) plane.fill(value, offset, offset + outWidth);
          } else {
            let j = 0;
            for (let y = 0; y < component.blockHeight; y += 1, offset += stride) {
              for (let x = 0; x < outWidth; x += 1, j += 1) plane[offset + x] = output[j]! + 128;
            }
          }
          component.decodedBlocks += 1;
        }
      }
      intervals.end(read * 8 - bits);
    }
    return intervals.finish();
  }

  /**
   * Decodes one scan of a progressive JPEG into the components' coefficient buffers (ITU-T T.81 G.1.2): DC first
   * and refinement scans (interleaved or not), AC first and refinement scans (one component, with end-of-band
   * runs). `high`/`low` are the successive-approximation bit positions Ah/Al.
   */
  function decodeProgressiveScan(
    bytes: Uint8Array,
    dataStart: number,
    frame: Frame,
    components: Component[],
    spectralStart: number,
    spectralEnd: number,
    high: number,
    low: number,
    restartInterval: number,
  ): number {
    const isDc = spectralStart === 0;
    if (isDc ? spectralEnd !== 0 : spectralEnd < spectralStart || spectralEnd > 63 || components.length !== 1) decline('invalid progressive scan');
    if (low > 13 || (high !== 0 && high !== low + 1)) decline('invalid successive approximation');
    for (const component of components) {
      component.predictor = 0;
      if (isDc && high === 0) component.decodedBlocks += 1;
      else if (component.decodedBlocks === 0) decline('refinement or AC scan before the DC scan');
    }
    const { interleaved, mcusPerLine, totalMcus } = scanGeometry(frame, components);
    const intervals = scanIntervals(bytes, dataStart, totalMcus, restartInterval);
    const clean = intervals.clean;
    let read = 0;
    let accumulator = 0;
    let bits = 0;
    const fill = (): void => {
      while (bits <= 24) {
        accumulator = (accumulator << 8) | (clean[read]! | 0);
        read += 1;
        bits += 8;
      }
    };
    const receive = (size: number): number => {
      if (size === 0) return 0;
      if (bits < size) fill();
      bits -= size;
      return (accumulator >>> bits) & ((1 << size) - 1);
    };
    const extend = (value: number, size: number): number => (value < 1 << (size - 1) ? value - (1 << size) + 1 : value);
    const huffman = (table: HuffmanTable): number => {
      if (bits < 16) fill();
      const entry = table.lookup[(accumulator >>> (bits - 9)) & 511]!;
      if (entry !== 0) {
        bits -= entry >> 8;
        return entry & 255;
      }
      const slow = decodeLongCode(table, accumulator, bits);
      bits -= slow >> 8;
      return slow & 255;
    };
    const plus = 1 << low;
    const minus = -1 << low;
    let endOfBandRun = 0;
    /** Refines the already-nonzero coefficients in [k, end] by one bit each; returns nothing. */
    const refineNonZero = (coefficients: Int16Array, base: number, from: number, to: number): void => {
      for (let k = from; k <= to; k += 1) {
        const value = coefficients[base + k]!;
        if (value !== 0 && receive(1) === 1 && (value & plus) === 0) coefficients[base + k] = value >= 0 ? value + plus : value + minus;
      }
    };
    const decodeBlock = (component: Component, blockIndex: number): void => {
      const coefficients = component.coefficients;
      const base = blockIndex * 64;
      if (isDc) {
        if (high === 0) {
          const size = huffman(component.dcTable!);
          if (size > 11) decline('bad DC coefficient size');
          component.predictor += size === 0 ? 0 : extend(receive(size), size);
          coefficients[base] = component.predictor * plus;
        } else if (receive(1) === 1) {
          coefficients[base] = coefficients[base]! | plus;
        }
        return;
      }
      const table = component.acTable!;
      if (high === 0) {
        if (endOfBandRun > 0) {
          endOfBandRun -= 1;
          return;
        }
        for (let k = spectralStart; k <= spectralEnd; k += 1) {
          const symbol = huffman(table);
          const run = symbol >> 4;
          const size = symbol & 15;
          if (size !== 0) {
            k += run;
            if (k > spectralEnd) decline('AC coefficient index past the band');
            coefficients[base + k] = extend(receive(size), size) * plus;
          } else if (run === 15) {
            k += 15;
          } else {
            endOfBandRun = (1 << run) - 1 + receive(run);
            break;
          }
        }
        return;
      }
      let k = spectralStart;
      if (endOfBandRun === 0) {
        for (; k <= spectralEnd; k += 1) {
          const symbol = huffman(table);
          let run = symbol >> 4;
          const size = symbol & 15;
          let value = 0;
          if (size !== 0) {
            if (size !== 1) decline('bad AC refinement size');
            value = receive(1) === 1 ? plus : minus;
          } else if (run !== 15) {
            endOfBandRun = (1 << run) + receive(run);
            break;
          }
          // Skip `run` zero coefficients (refining the nonzero ones met on the way), then place `value`.
          while (k <= spectralEnd) {
            const current = coefficients[base + k]!;
            if (current !== 0) {
              if (receive(1) === 1 && (current & plus) === 0) coefficients[base + k] = current >= 0 ? current + plus : current + minus;
            } else {
              if (run === 0) break;
              run -= 1;
            }
            k += 1;
          }
          if (value !== 0) {
            if (k > spectralEnd) decline('AC coefficient index past the band');
            coefficients[base + k] = value;
          }
        }
      }
      if (endOfBandRun > 0) {
        refineNonZero(coefficients, base, k, spectralEnd);
        endOfBandRun -= 1;
      }
    };

    for (let interval = intervals.next(); interval !== undefined; interval = intervals.next()) {
      if (interval.restarted) {
        for (const component of components) component.predictor = 0;
        endOfBandRun = 0;
      }
      const available = interval.available;
      read = 0;
      accumulator = 0;
      bits = 0;
      for (let mcu = interval.firstMcu; mcu < interval.endMcu; mcu += 1) {
        if (read > available + 8) decline('data ends early');
        const mcuRow = Math.floor(mcu / mcusPerLine);
        const mcuColumn = mcu - mcuRow * mcusPerLine;
        for (const component of components) {
          const gridWidth = frame.mcusPerLine * component.h;
          if (!interleaved) {
            decodeBlock(component, mcuRow * gridWidth + mcuColumn);
            continue;
          }
          for (let v = 0; v < component.v; v += 1) {
            for (let h = 0; h < component.h; h += 1) decodeBlock(component, (mcuRow * component.v + v) * gridWidth + mcuColumn * component.h + h);
          }
        }
      }
      intervals.end(read * 8 - bits);
    }
    return intervals.finish();
  }

  /** Progressive JPEGs: dequantises and scales every buffered block into the component's plane. */
  function renderCoefficients(component: Component): void {
    prepareComponent(component, component.scanQuantization!);
    const { basis, contributes, coefficients, plane } = component;
    const outWidth = component.blockWidth;
    const outHeight = component.blockHeight;
    const outputs = outWidth * outHeight;
    const gridWidth = component.planeWidth / outWidth;
    const gridHeight = component.planeHeight / outHeight;
    const stride = component.planeWidth;
    const output = new Float64Array(64);
    // Only the coefficients that reach a scaled output (at 1/4 scale, 24 of the 63 AC ones) are visited.
    const active = Int32Array.from({ length: 63 }, (_, index) => index + 1).filter((k) => contributes[k] === 1);
    for (let blockRow = 0; blockRow < gridHeight; blockRow += 1) {
      for (let blockColumn = 0; blockColumn < gridWidth; blockColumn += 1) {
        const base = (blockRow * gridWidth + blockColumn) * 64;
        const dc = coefficients[base]! * basis[0]!;
        for (let j = 0; j < outputs; j += 1) output[j] = dc;
        for (let index = 0; index < active.length; index += 1) {
          const k = active[index]!;
          const value = coefficients[base + k]!;
          if (value === 0) continue;
          const offset = k * outputs;
          for (let j = 0; j < outputs; j += 1) output[j] = output[j]! + value * basis[offset + j]!;
        }
        let offset = blockRow * outHeight * stride + blockColumn * outWidth;
        let j = 0;
        for (let y = 0; y < outHeight; y += 1, offset += stride) {
          for (let x = 0; x < outWidth; x += 1, j += 1) plane[offset + x] = output[j]! + 128;
        }
      }
    }
  }

  // Fixed-point JFIF colour conversion tables (as libjpeg's jdcolor.c), indexed by Cb or Cr.
  const redFromCr = new Int32Array(256);
  const blueFromCb = new Int32Array(256);
  const greenFromCr = new Int32Array(256);
  const greenFromCb = new Int32Array(256);
  for (let value = 0; value < 256; value += 1) {
    const centered = value - 128;
    redFromCr[value] = Math.round(1.402 * 65536 * centered);
    blueFromCb[value] = Math.round(1.772 * 65536 * centered);
    greenFromCr[value] = -Math.round(0.714136 * 65536 * centered);
    greenFromCb[value] = -Math.round(0.344136 * 65536 * centered) + 32768;
  }

  /** Colour-converts (and where needed upsamples) the planes into the output image. */
  function assemble(frame: Frame, scale: 1 | 2 | 4 | 8): ScaledJpeg {
    const width = Math.ceil((frame.width * scale) / 8);
    const height = Math.ceil((frame.height * scale) / 8);
    const [first, second, third] = frame.components;
    if (second === undefined || third === undefined) {
      const component = first!;
      const data = new Uint8Array(width * height);
      for (let y = 0; y < height; y += 1) data.set(component.plane.subarray(y * component.planeWidth, y * component.planeWidth + width), y * width);
      return { width, height, channels: 1, data, fullWidth: frame.width, fullHeight: frame.height, scale };
    }
    const data = new Uint8ClampedArray(width * height * 3);
    const luma = first!;
    // Plane pixels per output pixel along each axis is 1, or 1/2, 1/4 when the IDCT could not absorb the subsampling.
    const columnIndex = (component: Component): Int32Array => {
      const ratio = (scale * frame.maxH) / (component.h * component.blockWidth);
      return Int32Array.from({ length: width }, (_, x) => Math.floor(x / ratio));
    };
    const rowStart = (component: Component, y: number): number => {
      const ratio = (scale * frame.maxV) / (component.v * component.blockHeight);
      return Math.floor(y / ratio) * component.planeWidth;
    };
    const lumaColumns = columnIndex(luma);
    const blueColumns = columnIndex(second);
    const redColumns = columnIndex(third);
    let out = 0;
    for (let y = 0; y < height; y += 1) {
      const lumaRow = rowStart(luma, y);
      const blueRow = rowStart(second, y);
      const redRow = rowStart(third, y);
      for (let x = 0; x < width; x += 1) {
        const yValue = luma.plane[lumaRow + lumaColumns[x]!]!;
        const cb = second.plane[blueRow + blueColumns[x]!]!;
        const cr = third.plane[redRow + redColumns[x]!]!;
        data[out] = yValue + ((redFromCr[cr]! + 32768) >> 16);
        data[out + 1] = yValue + ((greenFromCb[cb]! + greenFromCr[cr]!) >> 16);
        data[out + 2] = yValue + ((blueFromCb[cb]! + 32768) >> 16);
        out += 3;
      }
    }
    return { width, height, channels: 3, data: new Uint8Array(data.buffer), fullWidth: frame.width, fullHeight: frame.height, scale };
  }

  return {
    decode(bytes, minWidth, minHeight) {
      try {
        return { ok: true, image: decodeFile(bytes, minWidth, minHeight) };
      } catch (error) {
        if (error instanceof Decline) return { ok: false, reason: error.message };
        // An index past a table or the input (corrupt data the checks above did not catch) is a decline as well:
        // the general decoder gets the final word on whether the file is usable.
        if (error instanceof RangeError || error instanceof TypeError) return { ok: false, reason: `decoder error: ${error.message}` };
        throw error;
      }
    },
    readHeader: readHeaderSegments,
  };
}
