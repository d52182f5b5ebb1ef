import { Uint8ArrayList } from 'uint8arraylist'
import { BlobRequest, BlobResponse, Compression } from './blob.js'
import { compressionFromWire, compressionToWire } from './compression.js'
import { MAX_ACCEPT } from './constants.js'
import type { MessageCodec } from '../common/framing.js'

/** BlobRequest with a cap on `accept`: a peer cannot make us decode a million codec values. */
export const BlobRequestCodec: MessageCodec<BlobRequest> = {
  encode: (m) => BlobRequest.encode(m),
  decode: (b) => BlobRequest.decode(b, { limits: { accept: MAX_ACCEPT } })
}

export const BlobResponseCodec: MessageCodec<BlobResponse> = {
  encode: (m) => BlobResponse.encode(m),
  decode: (b) => BlobResponse.decode(b)
}

function varint (n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
}

/**
 * `BlobResponse{chunk{data, codec, rawLength}}` encoded around `data`
 * without copying it: the hot path of the protocol sends a list of a small
 * head, the data itself and a small tail. Byte-identical to what protons
 * encodes (test/protocols/blob/frames.test.ts checks).
 */
export function chunkFrame (data: Uint8Array, codec: Compression, rawLength: number): Uint8ArrayList {
  const tail: number[] = []
  const c = compressionToWire(codec)
  if (c !== 0) tail.push(0x10, c)
  if (rawLength !== 0) {
    tail.push(0x18)
    varint(rawLength, tail)
  }
  const dataHead: number[] = [0x0a]
  varint(data.byteLength, dataHead)
  // An empty `data` is the default value, which protons leaves out.
  const innerLength = (data.byteLength > 0 ? dataHead.length + data.byteLength : 0) + tail.length
  const head: number[] = [0x12]
  varint(innerLength, head)
  const list = new Uint8ArrayList()
  if (data.byteLength > 0) {
    list.append(Uint8Array.from([...head, ...dataHead]), data)
  } else {
    list.append(Uint8Array.from(head))
  }
  if (tail.length > 0) list.append(Uint8Array.from(tail))
  return list
}

/** A chunk as it arrived: `data` is the received pieces, not copied together. */
export interface ChunkPieces {
  data: Uint8ArrayList
  codec: Compression
  rawLength: number
}

/** A varint at `at` of `list`: value and the index after it; undefined if malformed. */
function varintAt (list: Uint8ArrayList, at: number, end: number): { value: number, next: number } | undefined {
  let value = 0
  for (let i = 0; i < 5 && at + i < end; i++) {
    const b = list.get(at + i)
    value += (b & 0x7f) * 2 ** (7 * i)
    if ((b & 0x80) === 0) return value > 0xffffffff ? undefined : { value, next: at + i + 1 }
  }
  return undefined
}

/**
 * The receiving side of `chunkFrame`: a frame that is exactly one
 * `BlobResponse{chunk}` with each field at most once, read without copying
 * `data`. Anything else (the header, `end`, an error frame, fields an
 * encoder may add or repeat) gives undefined, and the caller decodes the
 * frame the ordinary way: both agree on every frame this accepts.
 */
export function parseChunkFrame (frame: Uint8ArrayList): ChunkPieces | undefined {
  const end = frame.byteLength
  if (end < 2 || frame.get(0) !== 0x12) return undefined
  const inner = varintAt(frame, 1, end)
  if (inner == null || inner.next + inner.value !== end) return undefined
  let data: Uint8ArrayList | undefined
  let codecWire: number | undefined
  let rawLength: number | undefined
  for (let at = inner.next; at < end;) {
    const tag = frame.get(at)
    const v = varintAt(frame, at + 1, end)
    if (v == null) return undefined
    if (tag === 0x0a && data == null && v.next + v.value <= end) {
      data = frame.sublist(v.next, v.next + v.value)
      at = v.next + v.value
    } else if (tag === 0x10 && codecWire == null) {
      codecWire = v.value
      at = v.next
    } else if (tag === 0x18 && rawLength == null) {
      rawLength = v.value
      at = v.next
    } else {
      return undefined
    }
  }
  const codec = compressionFromWire(codecWire ?? 0)
  if (codec == null) return undefined
  return { data: data ?? new Uint8ArrayList(), codec, rawLength: rawLength ?? 0 }
}
