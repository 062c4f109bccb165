import { maskedCrc32c } from './crc32c';

/**
 * Frames one record the TFRecord way: the payload length as a little-endian uint64, the masked CRC-32C of
 * those 8 bytes, the payload, and the masked CRC-32C of the payload (all integers little-endian).
 *
 * @example
 * await handle.write(frameRecord(eventBytes));
 */
export function frameRecord(payload: Uint8Array): Uint8Array {
  const record = new Uint8Array(8 + 4 + payload.length + 4);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(payload.length), true);
  view.setUint32(8, maskedCrc32c(record.subarray(0, 8)), true);
  record.set(payload, 12);
  view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return record;
}
