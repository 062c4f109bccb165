import { decline } from './decline';
import { decodeLongCode } from './huffman';
import { scanGeometry, scanIntervals } from './scan-intervals';
import type { Component, Frame, HuffmanTable } from './types';

/**
 * Decodes one scan of a progressive JPEG into the components' coefficient buffers (ITU-T T.81 G.1.2): DC first
 * and refinement scans (interleaved or not), AC first and refinement scans (one component, with end-of-band
 * runs). `high`/`low` are the successive-approximation bit positions Ah/Al.
 */
export function decodeProgressiveScan(
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
  if (isDc ? spectralEnd !== 0 : spectralEnd < spectralStart || spectralEnd > 63 || components.length !== 1)
    decline('invalid progressive scan');
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
      if (value !== 0 && receive(1) === 1 && (value & plus) === 0)
        coefficients[base + k] = value >= 0 ? value + plus : value + minus;
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
            if (receive(1) === 1 && (current & plus) === 0)
              coefficients[base + k] = current >= 0 ? current + plus : current + minus;
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
          for (let h = 0; h < component.h; h += 1)
            decodeBlock(component, (mcuRow * component.v + v) * gridWidth + mcuColumn * component.h + h);
        }
      }
    }
    intervals.end(read * 8 - bits);
  }
  return intervals.finish();
}
