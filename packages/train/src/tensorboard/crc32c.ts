/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord framing, and TFRecord's
 * "masked" form: rotated right by 15 bits plus a constant, so that a CRC of data that itself holds CRCs
 * stays well distributed.
 */

const table = (() => {
  const entries = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let value = index;
    for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? (value >>> 1) ^ 0x82f63b78 : value >>> 1;
    entries[index] = value >>> 0;
  }
  return entries;
})();

/**
 * CRC-32C of `bytes`.
 *
 * @example
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index += 1) crc = table[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * TFRecord's masked CRC-32C: `((crc >>> 15) | (crc << 17)) + 0xa282ead8`, modulo 2^32.
 *
 * @example
 * const checksum = maskedCrc32c(payload);
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
