import type { Uint8ArrayList } from 'uint8arraylist'

/**
 * Received blob bytes: one buffer, or the pieces a raw chunk arrived in
 * (Noise delivers at most 64 KiB at a time). Passing the pieces on spares
 * the receiver a copy and a fresh 256 KiB buffer per chunk: hashing and
 * vectored writes take them as they are (scripts/bench-sync.ts).
 */
export type BlobBytes = Uint8Array | Uint8ArrayList

/** One contiguous buffer (copies only when there are several pieces). */
export function flatten (bytes: BlobBytes): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : bytes.subarray()
}

/** The buffers, in order. */
export function pieces (bytes: BlobBytes): Uint8Array[] {
  return bytes instanceof Uint8Array ? [bytes] : [...bytes]
}
