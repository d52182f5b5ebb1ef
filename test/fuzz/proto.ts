/**
 * A protobuf writer that can lie: fields of any wire type with any value
 * (u64 max, negative varints), length-delimited fields whose declared length
 * is not their real one, and frames whose varint prefix lies. The fuzz
 * generators build valid-looking messages with it and then break them; the
 * project's protons codecs cannot write what a hostile peer sends.
 */

export type WireType = 0 | 1 | 2 | 5

export interface Field {
  no: number
  wire: WireType
  /** Varint (wire 0) or fixed (1, 5) value; bytes for wire 2. */
  value: bigint | Uint8Array
  /** Wire 2: declare this length instead of the real one. */
  lieLength?: number
}

export function varint (n: bigint | number): Uint8Array {
  // Negative numbers are written as 64-bit two's complement, as protobuf does.
  let v = BigInt.asUintN(64, BigInt(n))
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return Uint8Array.from(out)
}

export function concat (parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

export function encodeField (f: Field): Uint8Array {
  const tag = varint((BigInt(f.no) << 3n) | BigInt(f.wire))
  if (f.wire === 2) {
    const bytes = f.value instanceof Uint8Array ? f.value : varint(f.value)
    return concat([tag, varint(f.lieLength ?? bytes.byteLength), bytes])
  }
  const n = f.value instanceof Uint8Array ? 0n : f.value
  if (f.wire === 0) return concat([tag, varint(n)])
  const width = f.wire === 1 ? 8 : 4
  const out = new Uint8Array(width)
  const view = new DataView(out.buffer)
  if (width === 8) view.setBigUint64(0, BigInt.asUintN(64, n), true)
  else view.setUint32(0, Number(BigInt.asUintN(32, n)), true)
  return concat([tag, out])
}

export function encodeMessage (fields: readonly Field[]): Uint8Array {
  return concat(fields.map(encodeField))
}

/** Field helpers for the valid-looking shape of a message. */
export const str = (no: number, s: string): Field => ({ no, wire: 2, value: new TextEncoder().encode(s) })
export const bytes = (no: number, b: Uint8Array): Field => ({ no, wire: 2, value: b })
export const uint = (no: number, n: bigint | number): Field => ({ no, wire: 0, value: BigInt(n) })
export const msg = (no: number, fields: readonly Field[]): Field => ({ no, wire: 2, value: encodeMessage(fields) })

/** How a frame's length prefix is written. */
export type Prefix =
  | { kind: 'exact' }
  /** Declares `length` bytes whatever the body is (longer: the stream ends mid-frame; shorter: the rest is the next frame). */
  | { kind: 'lie', length: number }
  /** A varint of more than 5 bytes (malformed for our framing). */
  | { kind: 'overlong' }

export function frame (body: Uint8Array, prefix: Prefix = { kind: 'exact' }): Uint8Array {
  if (prefix.kind === 'exact') return concat([varint(body.byteLength), body])
  if (prefix.kind === 'lie') return concat([varint(prefix.length), body])
  return concat([Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), body])
}
