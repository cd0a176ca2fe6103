/**
 * A minimal protobuf writer (proto3 wire format): varints (negative int64 as ten-byte two's complement), 32-bit
 * floats, length-delimited bytes/strings and nested messages. Enough to encode ONNX models (onnx-model.ts) without a
 * protobuf dependency. A message is built as a list of chunks and joined once, so large tensors are copied once.
 *
 * @example
 * const w = new ProtoWriter();
 * w.int(1, 8).string(2, 'genbench');
 * w.finish(); // Uint8Array [8, 8, 18, 8, 103, 101, 110, ...]
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  /** Field `field` as a varint (int32/int64/enum/bool); negative values are written as 64-bit two's complement. */
  int(field: number, value: number): this {
    this.push(Uint8Array.from([...varint(field << 3), ...varint(value)]));
    return this;
  }

  /** Each value as its own varint field (unpacked repeated int64; every parser accepts it). */
  ints(field: number, values: readonly number[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  /** Field `field` as a 32-bit little-endian float (wire type 5). */
  float(field: number, value: number): this {
    const b = new Uint8Array(5);
    b[0] = (field << 3) | 5;
    new DataView(b.buffer).setFloat32(1, value, true);
    this.push(b);
    return this;
  }

  /** Field `field` as length-delimited bytes (wire type 2). */
  bytes(field: number, payload: Uint8Array): this {
    this.push(Uint8Array.from([...varint((field << 3) | 2), ...varint(payload.length)]));
    this.push(payload);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** A nested message written by `build` into a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private push(c: Uint8Array): void {
    this.chunks.push(c);
    this.size += c.length;
  }
}

/**
 * Varint bytes of an integer; negative numbers as 64-bit two's complement (ten bytes), as protobuf writes int64.
 *
 * @example
 * varint(300); // [172, 2]
 */
export function varint(value: number): number[] {
  if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf varint: ${value} is not a safe integer`);
  let v = value < 0 ? BigInt.asUintN(64, BigInt(value)) : BigInt(value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
