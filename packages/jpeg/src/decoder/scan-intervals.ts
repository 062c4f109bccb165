import { decline } from './decline';
import type { Component, Frame } from './types';

/** Checks the RSTn marker expected at `position` (n = restarts seen, mod 8); returns the position after it. */
function skipRestartMarker(bytes: Uint8Array, position: number, restartsSeen: number): number {
  if (position + 1 >= bytes.length || bytes[position] !== 0xff || bytes[position + 1] !== 0xd0 + (restartsSeen & 7))
    decline('missing or wrong restart marker');
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
export function scanGeometry(
  frame: Frame,
  components: Component[],
): { interleaved: boolean; mcusPerLine: number; totalMcus: number } {
  const first = components[0]!;
  return components.length > 1
    ? { interleaved: true, mcusPerLine: frame.mcusPerLine, totalMcus: frame.mcusPerLine * frame.mcusPerColumn }
    : { interleaved: false, mcusPerLine: first.blocksPerLine, totalMcus: first.blocksPerLine * first.blocksPerColumn };
}

export interface ScanInterval {
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
export function scanIntervals(bytes: Uint8Array, dataStart: number, totalMcus: number, restartInterval: number) {
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
