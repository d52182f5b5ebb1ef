import { RealizeError } from '../../datastore/types/errors.js'
import type { ByteRange } from '../../datastore/types/byte-ranges.js'

/**
 * A read started at a byte the blob does not hold yet. `missing` is the gap
 * from the read's start to the next byte held (or the read's end), so the
 * caller knows what to fetch.
 */
export class DataUnavailableError extends RealizeError {
  constructor (readonly blobId: number, readonly missing: ByteRange, options?: { cause?: unknown }) {
    super('DATA_UNAVAILABLE', `blob ${blobId}: bytes [${missing.start}, ${missing.end}) are not in the cache`, options)
  }
}

/**
 * Not enough room in the cache once everything evictable is gone {#bloblru}:
 * the rest is marked keep or open. Shown to the user; the job retries later.
 */
export class CacheFullError extends RealizeError {
  constructor (readonly needed: number, readonly capacity: number, readonly used: number) {
    super('CACHE_FULL', `cache full: need ${formatBytes(needed)} more, capacity ${formatBytes(capacity)}, ` +
      `${formatBytes(used)} used by blobs that are marked keep or in use`)
  }
}

export class BlobNotFoundError extends RealizeError {
  constructor (readonly blobId: number) {
    super('BLOB_NOT_FOUND', `blob ${blobId} is not in the cache`)
  }
}

function formatBytes (n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`
}

/** A blob completed by range reads hashes to another version: its bytes are dropped. */
export class BlobMismatchError extends RealizeError {
  constructor (readonly blobId: number, message: string) {
    super('BLOB_HASH_MISMATCH', `blob ${blobId}: ${message}`)
  }
}

/** A range another writer was fetching got no new byte for too long. */
export class RangeWaitError extends RealizeError {
  constructor (readonly blobId: number, waitMs: number) {
    super('RANGE_WAIT_TIMEOUT', `blob ${blobId}: no bytes arrived for ${waitMs} ms while waiting on another download of the same range`)
  }
}
