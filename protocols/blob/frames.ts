import { Uint8ArrayList } from 'uint8arraylist'
import { BlobRequest, BlobResponse, Compression } from './blob.js'
import { compressionToWire } from './compression.js'
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
