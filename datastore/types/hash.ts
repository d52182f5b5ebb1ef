import { InvalidInputError } from './errors.js'

/** SHA-256 of a file's content (node:crypto): 32 bytes, shown as lowercase hex. */
export type Hash = Uint8Array & { readonly __hash: true }

export const HASH_BYTES = 32

export function asHash (bytes: Uint8Array): Hash {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== HASH_BYTES) {
    throw new InvalidInputError('INVALID_HASH', `invalid hash: expected ${HASH_BYTES} bytes, got ${bytes?.byteLength ?? typeof bytes}`)
  }
  return bytes as Hash
}

export function hashFromHex (hex: string): Hash {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new InvalidInputError('INVALID_HASH', `invalid hash ${JSON.stringify(hex)}: expected 64 hex digits`)
  return Uint8Array.from(Buffer.from(hex, 'hex')) as Hash
}

export function hashToHex (hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex')
}

export function hashEquals (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a == null || b == null) return a === b
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}
