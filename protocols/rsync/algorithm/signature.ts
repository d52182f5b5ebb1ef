import { hash as oneShotHash } from 'node:crypto'
import { InvalidInputError } from '../../../datastore/types/errors.js'
import { readChunks, type RangeReader } from '../../common/reader.js'
import { weakSum } from './rolling.js'

/**
 * The signature of a basis range: for each block of `blockSize` bytes (the
 * last may be shorter) a weak rolling sum and a strong hash. The other side
 * finds these blocks anywhere in its data and sends only what differs.
 */
export interface Signature {
  blockSize: number
  /** Bytes of basis the blocks cover. */
  length: number
  /** Weak sum per block (rolling.ts). */
  weak: Uint32Array
  /** STRONG_BYTES per block: the first bytes of the block's SHA-256. */
  strong: Uint8Array
}

/**
 * 16 bytes of SHA-256: 2^-128 per comparison makes a false match
 * negligible, and SHA-256 runs on the CPU's SHA extensions where MD5 (what
 * rsync uses) does not. The whole range is checked by its full hash anyway.
 */
export const STRONG_BYTES = 16
export const MIN_BLOCK_SIZE = 1024
/** rsync's cap too: larger blocks make a small edit cost a large literal. */
export const MAX_BLOCK_SIZE = 128 * 1024

/**
 * rsync's rule of thumb: about √length, so a 1 GiB file has 32 KiB blocks
 * and a 640 KiB signature; rounded to 1 KiB, between MIN and MAX_BLOCK_SIZE.
 */
export function chooseBlockSize (length: number): number {
  const root = Math.ceil(Math.sqrt(length) / 1024) * 1024
  return Math.min(MAX_BLOCK_SIZE, Math.max(MIN_BLOCK_SIZE, root))
}

export function blockCount (length: number, blockSize: number): number {
  return Math.ceil(length / blockSize)
}

/** Length of block `i` of a signature (only the last may be short). */
export function blockLength (sig: Pick<Signature, 'blockSize' | 'length'>, i: number): number {
  return Math.min(sig.blockSize, sig.length - i * sig.blockSize)
}

export function checkBlockSize (blockSize: number): void {
  if (!Number.isSafeInteger(blockSize) || blockSize < 1 || blockSize > MAX_BLOCK_SIZE) {
    throw new InvalidInputError('INVALID_BLOCK_SIZE', `invalid rsync block size ${blockSize}: expected 1 to ${MAX_BLOCK_SIZE}`)
  }
}

/** Checks a signature received from elsewhere is self-consistent. */
export function checkSignature (sig: Signature): void {
  checkBlockSize(sig.blockSize)
  if (!Number.isSafeInteger(sig.length) || sig.length < 0) {
    throw new InvalidInputError('INVALID_SIGNATURE', `invalid signature length ${sig.length}`)
  }
  const n = blockCount(sig.length, sig.blockSize)
  if (sig.weak.length !== n || sig.strong.byteLength !== n * STRONG_BYTES) {
    throw new InvalidInputError('INVALID_SIGNATURE', `signature of ${sig.length} bytes in blocks of ${sig.blockSize} needs ${n} blocks, got ${sig.weak.length} weak and ${sig.strong.byteLength / STRONG_BYTES} strong sums`)
  }
}

/** Writes the strong sum of `data[start, end)` at `out[at]`. */
export function strongSum (data: Uint8Array, start: number, end: number, out: Uint8Array, at: number): void {
  const digest = oneShotHash('sha256', data.subarray(start, end), 'buffer')
  out.set(digest.subarray(0, STRONG_BYTES), at)
}

export interface SignatureOptions {
  blockSize?: number
  signal?: AbortSignal
  /** Bytes per read; rounded down to whole blocks. */
  chunkSize?: number
}

/** The signature of `[0, length)` of `reader`. */
export async function computeSignature (reader: RangeReader, length: number, options: SignatureOptions = {}): Promise<Signature> {
  const blockSize = options.blockSize ?? chooseBlockSize(length)
  checkBlockSize(blockSize)
  const n = blockCount(length, blockSize)
  const sig: Signature = { blockSize, length, weak: new Uint32Array(n), strong: new Uint8Array(n * STRONG_BYTES) }
  // Whole blocks per chunk, so that no block straddles two reads.
  const chunkSize = Math.max(1, Math.floor((options.chunkSize ?? 4 * 1024 * 1024) / blockSize)) * blockSize
  let block = 0
  for await (const chunk of readChunks(reader, length, { chunkSize, signal: options.signal })) {
    for (let off = 0; off < chunk.byteLength; off += blockSize, block++) {
      const end = Math.min(off + blockSize, chunk.byteLength)
      sig.weak[block] = weakSum(chunk, off, end)
      strongSum(chunk, off, end, sig.strong, block * STRONG_BYTES)
    }
  }
  return sig
}

/** The signature of bytes in memory (tests, small ranges). */
export function signatureOfBytes (data: Uint8Array, blockSize = chooseBlockSize(data.byteLength)): Signature {
  checkBlockSize(blockSize)
  const n = blockCount(data.byteLength, blockSize)
  const sig: Signature = { blockSize, length: data.byteLength, weak: new Uint32Array(n), strong: new Uint8Array(n * STRONG_BYTES) }
  for (let i = 0; i < n; i++) {
    const start = i * blockSize
    const end = Math.min(start + blockSize, data.byteLength)
    sig.weak[i] = weakSum(data, start, end)
    strongSum(data, start, end, sig.strong, i * STRONG_BYTES)
  }
  return sig
}
