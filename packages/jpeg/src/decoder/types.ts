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
export type JpegDecodeResult =
  | { readonly ok: true; readonly image: ScaledJpeg }
  | { readonly ok: false; readonly reason: string };

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

/** A Huffman table in the decoder's look-up form (see `buildHuffmanTable`). */
export interface HuffmanTable {
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

/** One colour component of the frame and its decoding state. */
export interface Component {
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

/** The frame header (SOF0/1/2) with the geometry the scans and the colour conversion use. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly components: Component[];
  readonly maxH: number;
  readonly maxV: number;
  readonly mcusPerLine: number;
  readonly mcusPerColumn: number;
  readonly progressive: boolean;
}
