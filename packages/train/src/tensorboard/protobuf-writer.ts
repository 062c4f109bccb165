/*
 * The few protobuf wire-format pieces that TensorBoard's `Event` and `Summary` messages need: varints, 64-bit
 * doubles, 32-bit floats and length-delimited fields (strings, bytes, nested messages). Fields are written in
 * the order they are added; zero-valued scalars are still written (proto3 readers accept both).
 */

const wireVarint = 0;
const wire64Bit = 1;
const wireLengthDelimited = 2;
const wire32Bit = 5;

const encoder = new TextEncoder();

/** Builds one protobuf message from fields; {@link finish} returns its bytes. */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  /** A varint field (int32/int64/enum/bool). Negative values are written as 10-byte two's complement, as protobuf does. */
  int64(field: number, value: number | bigint): this {
    this.key(field, wireVarint);
    this.varint(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  /** A `double` field (little-endian IEEE 754 binary64). */
  double(field: number, value: number): this {
    this.key(field, wire64Bit);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return this.push(bytes);
  }

  /** A `float` field (little-endian IEEE 754 binary32; the value is rounded to single precision). */
  float(field: number, value: number): this {
    this.key(field, wire32Bit);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.push(bytes);
  }

  /** A `string` field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A `bytes` field, or a nested message given as its bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, wireLengthDelimited);
    this.varint(BigInt(value.length));
    return this.push(value);
  }

  /** A nested message field. */
  message(field: number, value: ProtobufWriter): this {
    return this.bytes(field, value.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const bytes = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  }

  private key(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 536_870_911)
      throw new RangeError(`Expected a protobuf field number in 1..2^29-1, got \`${field}\``);
    this.varint(BigInt(field) * 8n + BigInt(wireType));
  }

  private varint(value: bigint): void {
    const bytes: number[] = [];
    let rest = value;
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      bytes.push(rest === 0n ? low : low | 0x80);
    } while (rest !== 0n);
    this.push(Uint8Array.from(bytes));
  }

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }
}
