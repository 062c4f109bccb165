import { decline } from './decline';
import { decodeLongCode } from './huffman';
import { prepareComponent } from './scaled-idct';
import { scanGeometry, scanIntervals } from './scan-intervals';
import type { Component, Frame } from './types';

/** Decodes one sequential scan into the components' planes. Returns the position of the marker after it. */
export function decodeScan(
  bytes: Uint8Array,
  dataStart: number,
  frame: Frame,
  components: Component[],
  quantization: (Int32Array | undefined)[],
  restartInterval: number,
): number {
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
          for (let y = 0; y < component.blockHeight; y += 1, offset += stride)
            plane.fill(value, offset, offset + outWidth);
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
