/**
 * Order-preserving key encoding.
 *
 * Keys are `/<table>/<part>/<part>...` strings. LevelDB orders keys by their
 * UTF-8 bytes, and datastore-level's prefix scan stops at `prefix + '\xFF'`
 * (bytes C3 BF), which would hide keys containing most non-Latin text. So
 * every part is ASCII:
 *
 * - text (paths, names): UTF-8 bytes below 0x7E are kept as they are (NUL is
 *   never valid in a path), bytes 0x7E and above become `~` + two uppercase
 *   hex digits. The mapping is byte-wise, so it preserves byte order and
 *   prefixes: scanning `dir/` finds everything under `dir`.
 * - numbers: 16 lowercase hex digits (unsigned, up to 2^53), so numeric order
 *   is key order.
 */

const TILDE = 0x7e
const HEX = '0123456789ABCDEF'

export function encodeText (text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  let simple = true
  for (const b of bytes) {
    if (b >= TILDE) { simple = false; break }
  }
  if (simple) return text
  let out = ''
  for (const b of bytes) {
    out += b >= TILDE ? `~${HEX[b >> 4]}${HEX[b & 15]}` : String.fromCharCode(b)
  }
  return out
}

export function decodeText (encoded: string): string {
  if (!encoded.includes('~')) return encoded
  const bytes: number[] = []
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charCodeAt(i)
    if (c === TILDE) {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      bytes.push(c)
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

export function encodeNumber (n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`key number out of range: ${n}`)
  return n.toString(16).padStart(16, '0')
}

export function decodeNumber (encoded: string): number {
  return parseInt(encoded, 16)
}

/** Big-endian u64 for small values stored as raw bytes. */
export function u64ToBytes (n: number): Uint8Array {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

export function bytesToU64 (b: Uint8Array): number {
  return Number(Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64BE())
}
