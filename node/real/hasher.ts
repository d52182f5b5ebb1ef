import { createHash, hash as oneShotHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { asHash, type Hash } from '../../datastore/types/hash.js'
import { InvalidInputError, RealizeError, wrapError } from '../../datastore/types/errors.js'

/**
 * Bytes per read, measured with scripts/bench-hash.ts (docs/BENCHMARKS.md):
 * below 1 MiB the per-read round trip through the event loop shows; from
 * 2 MiB on the rate is flat within noise, 4 MiB was the best median.
 */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024

export interface HashFileOptions {
  signal?: AbortSignal
  /**
   * Size the caller saw (usually from stat). Reading more or fewer bytes means
   * the file changed under us: the hash would describe no version the caller
   * knows of, so it fails with code FILE_CHANGED instead.
   */
  expectSize?: number
  /** Bytes per read; for benchmarks and tests, the default is the measured best. */
  chunkSize?: number
}

export interface HashRangeOptions {
  signal?: AbortSignal
  chunkSize?: number
}

export interface HashResult {
  hash: Hash
  /** Bytes hashed: the file size for hashFile, end - start for hashRange. */
  size: number
}

/**
 * Thrown when the caller's AbortSignal fires; named like Node's own so
 * `err.name === 'AbortError'` works across APIs. The signal's reason is the cause.
 */
export class AbortError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('ABORT_ERR', message, options)
  }
}

/** SHA-256 of bytes already in memory. */
export function hashBytes (data: Uint8Array): Hash {
  // crypto.hash is the one-shot path: no Hash object to build for small inputs.
  const digest = oneShotHash('sha256', data, 'buffer')
  // A plain Uint8Array view, like hashFromHex, so deepEqual between hashes works.
  return asHash(new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength))
}

/** SHA-256 of a whole file, streamed. */
export async function hashFile (absPath: string, options: HashFileOptions = {}): Promise<HashResult> {
  const { expectSize } = options
  if (expectSize != null && (!Number.isSafeInteger(expectSize) || expectSize < 0)) {
    throw new InvalidInputError('INVALID_SIZE', `hashing ${absPath}: invalid expected size ${expectSize}`)
  }
  return await hashLoop(absPath, 0, Infinity, options.signal, options.chunkSize, expectSize)
}

/**
 * SHA-256 of bytes [start, end) of a file. Fails with RANGE_BEYOND_EOF when
 * the file ends before `end`: a hash of fewer bytes would silently describe
 * another range.
 */
export async function hashRange (absPath: string, start: number, end: number, options: HashRangeOptions = {}): Promise<HashResult> {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new InvalidInputError('INVALID_RANGE', `hashing ${absPath}: invalid byte range [${start}, ${end})`)
  }
  return await hashLoop(absPath, start, end, options.signal, options.chunkSize, undefined)
}

// Idle buffer pairs of DEFAULT_CHUNK_SIZE, so that catch-up hashing thousands
// of files does not allocate (and page-fault in) fresh megabytes per file.
// Bounded (16 MiB idle at most): a burst of parallel hashes must not pin
// memory for good; pairs beyond the pool are left to the GC.
const MAX_POOLED_PAIRS = 2
const pool: Array<[Buffer, Buffer]> = []

function takeBuffers (chunkSize: number): [Buffer, Buffer] {
  if (chunkSize === DEFAULT_CHUNK_SIZE) {
    const pair = pool.pop()
    if (pair != null) return pair
  }
  // allocUnsafe: every byte hashed is one just read, never stale content.
  return [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)]
}

function releaseBuffers (chunkSize: number, pair: [Buffer, Buffer]): void {
  if (chunkSize === DEFAULT_CHUNK_SIZE && pool.length < MAX_POOLED_PAIRS) pool.push(pair)
}

function throwIfAborted (signal: AbortSignal | undefined, absPath: string): void {
  if (signal?.aborted === true) throw new AbortError(`hashing ${absPath}: aborted`, { cause: signal.reason })
}

/**
 * The shared loop. Double-buffered: the read of chunk n+1 runs in libuv's
 * threadpool while the main thread hashes chunk n, so on a cached file the
 * copy out of the page cache costs (nearly) nothing next to SHA-256.
 */
async function hashLoop (
  absPath: string,
  start: number,
  end: number,
  signal: AbortSignal | undefined,
  maxChunkSize: number = DEFAULT_CHUNK_SIZE,
  expectSize: number | undefined
): Promise<HashResult> {
  if (!Number.isSafeInteger(maxChunkSize) || maxChunkSize <= 0) {
    throw new InvalidInputError('INVALID_CHUNK_SIZE', `hashing ${absPath}: invalid chunk size ${maxChunkSize}`)
  }
  throwIfAborted(signal, absPath)
  // A small file or range needs no megabyte buffers: when its size is known,
  // read at most one byte past it (enough to see growth, then EOF).
  const bound = end !== Infinity ? end - start : expectSize != null ? expectSize + 1 : Infinity
  const chunkSize = Math.max(1, Math.min(maxChunkSize, bound))

  let fh: FileHandle | undefined
  const buffers = takeBuffers(chunkSize)
  // A read still running in the threadpool: it writes into one of `buffers`,
  // so they may only go back to the pool (and fh be closed) once it settled.
  let pending: Promise<number> | undefined
  let failed = false
  try {
    fh = await open(absPath, 'r')
    const file = fh
    const read = (buf: Buffer, pos: number): Promise<number> => {
      const length = Math.min(chunkSize, end - pos)
      if (length <= 0) return Promise.resolve(0)
      return file.read(buf, 0, length, pos).then((r) => r.bytesRead)
    }

    const hash = createHash('sha256')
    let [current, next] = buffers
    let pos = start
    pending = read(current, pos)
    for (;;) {
      const n = await pending
      pending = undefined
      // Reading until a read returns 0 rather than trusting a short read:
      // network and FUSE file systems may return short reads before EOF.
      if (n === 0) break
      pos += n
      if (expectSize != null && pos > expectSize) {
        throw new RealizeError('FILE_CHANGED', `hashing ${absPath}: file grew while being read (expected ${expectSize} bytes)`)
      }
      throwIfAborted(signal, absPath)
      pending = read(next, pos)
      hash.update(current.subarray(0, n))
      const swap = current
      current = next
      next = swap
    }

    const size = pos - start
    if (end !== Infinity && pos < end) {
      throw new RealizeError('RANGE_BEYOND_EOF', `hashing ${absPath}: range [${start}, ${end}) ends after the file's end at ${pos}`)
    }
    if (expectSize != null && size !== expectSize) {
      throw new RealizeError('FILE_CHANGED', `hashing ${absPath}: read ${size} bytes, expected ${expectSize}`)
    }
    const digest = hash.digest()
    return { hash: asHash(new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)), size }
  } catch (err) {
    failed = true
    // Our own errors already name the file; only lower-level ones need it.
    if (err instanceof RealizeError) throw err
    throw wrapError(`hashing ${absPath}`, err)
  } finally {
    if (pending != null) await pending.catch(() => {})
    if (fh != null) {
      try {
        await fh.close()
      } catch (err) {
        // A close failure matters only when nothing else already went wrong.
        if (!failed) throw wrapError(`hashing ${absPath}: closing`, err)
      }
    }
    releaseBuffers(chunkSize, buffers)
  }
}
