import { ByteRanges } from '../../datastore/types/byte-ranges.js'
import { InvalidInputError, RealizeError } from '../../datastore/types/errors.js'
import { BLOCK_SIZE } from './capacity.js'
import { DataUnavailableError } from './errors.js'
import { RangeClaims, type Claim } from './range-claims.js'
import type { BlobFile } from './blob-file.js'
import type { BlobCache } from './blob-cache.js'
import type { Hash } from '../../datastore/types/hash.js'
import type { BlobBytes } from '../../protocols/blob/bytes.js'
import { SerialQueue } from '../../datastore/types/serial.js'

/** What an open blob needs from its store. */
export interface BlobHost {
  readonly cache: BlobCache
  readonly checkpointBytes: number
  /** Moves the store's usage by `delta` bytes. */
  addUsed: (delta: number) => void
  /** Records `written` and `allocated` in the table (a checkpoint). */
  persist: (blob: OpenBlob, written: ByteRanges, allocated: number) => Promise<void>
  /** The last handle closed. */
  closed: (blob: OpenBlob) => Promise<void>
}

/**
 * The shared state of one blob while any handle has it open: one file
 * descriptor, the live written ranges (readers see a concurrent writer's
 * bytes as soon as they are in the file, before any checkpoint), the
 * allocation estimate and the cache reservation of its writers.
 *
 * Crash safety {#bloblru}: bytes reach the file before the table claims
 * them (checkpoint = write, fstat, then table), so after a crash the table
 * may under-claim (those bytes are fetched again) but never over-claims.
 */
export class OpenBlob {
  readers = 0
  writers = 0
  /** Bytes reserved in the cache for writes and not yet counted as allocated. */
  reserved = 0
  /** Bytes written since the last checkpoint. */
  dirty = 0
  /** Set while the last handle closes; an open waits for it, then opens afresh. */
  closing: Promise<void> | undefined
  private readonly checkpoints = new SerialQueue()
  /** Chunks being fetched, by whom: one writer per range (range-claims.ts). */
  readonly claims = new RangeClaims()

  constructor (
    private readonly host: BlobHost,
    readonly id: number,
    readonly hash: Hash,
    readonly size: number,
    readonly file: BlobFile,
    public written: ByteRanges,
    public verified: boolean,
    /** Allocated bytes as counted in the store's usage. */
    public allocated: number
  ) {}

  get refs (): number {
    return this.readers + this.writers
  }

  async read (buffer: Uint8Array, offset: number, length: number): Promise<number> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || length > buffer.byteLength) {
      throw new InvalidInputError('INVALID_RANGE', `blob ${this.id}: invalid read of ${length} bytes at ${offset}`)
    }
    if (offset >= this.size || length === 0) return 0
    let n = Math.min(length, this.size - offset)
    if (!this.verified) {
      const available = this.written.availableFrom(offset)
      if (available === 0) {
        const next = this.written.ranges.find((r) => r.start > offset)?.start ?? this.size
        throw new DataUnavailableError(this.id, { start: offset, end: Math.min(offset + n, next) })
      }
      n = Math.min(n, available)
    }
    return await this.file.read(buffer, n, offset)
  }

  async write (data: BlobBytes, offset: number): Promise<void> {
    const end = offset + data.byteLength
    if (!Number.isSafeInteger(offset) || offset < 0 || end > this.size) {
      throw new InvalidInputError('OUT_OF_BOUNDS', `blob ${this.id}: write of ${data.byteLength} bytes at ${offset} is past its size ${this.size}`)
    }
    if (this.verified) throw new RealizeError('BLOB_VERIFIED', `blob ${this.id} is verified; its content cannot change`)
    if (data.byteLength === 0) return
    // Space first: the cache evicts others (or refuses) before the disk fills.
    const fresh = freshBlockBytes(this.written, offset, end, this.size)
    if (fresh > this.reserved) {
      const need = fresh - this.reserved
      await this.host.cache.reserve(need)
      this.reserved += need
    }
    const take = Math.min(fresh, this.reserved)
    this.reserved -= take
    this.host.cache.release(take)
    this.host.addUsed(take)
    this.allocated += take
    await this.file.write(data, offset)
    this.written = this.written.union(ByteRanges.of([offset, end]))
    this.dirty += data.byteLength
    if (this.dirty >= this.host.checkpointBytes) await this.checkpoint()
  }

  /** Persists the written ranges and the real allocation (fstat), after the bytes are in the file. */
  async checkpoint (): Promise<void> {
    await this.checkpoints.run(async () => {
      if (this.dirty === 0) return
      const dirty = this.dirty
      const written = this.written
      const actual = await this.file.allocated()
      this.host.addUsed(actual - this.allocated)
      this.allocated = actual
      await this.host.persist(this, written, actual)
      this.dirty -= dirty
    })
  }

  /**
   * Forgets every written byte (content that failed verification): the
   * table first, then the file, so a crash in between under-claims (the
   * bytes are fetched again) and never over-claims.
   */
  async discard (): Promise<void> {
    await this.checkpoints.run(async () => {
      this.written = ByteRanges.EMPTY
      this.dirty = 0
      await this.host.persist(this, ByteRanges.EMPTY, this.allocated)
      await this.file.clear(this.size)
      const actual = await this.file.allocated()
      this.host.addUsed(actual - this.allocated)
      this.allocated = actual
      await this.host.persist(this, ByteRanges.EMPTY, actual)
    })
  }

  /** Resolves when no checkpoint is running. */
  async settled (): Promise<void> {
    await this.checkpoints
  }

  /** Hands back the writers' unused reservation. */
  releaseReservation (): void {
    this.host.cache.release(this.reserved)
    this.reserved = 0
  }
}

/**
 * A reader's or writer's view of an open blob. Reads return how many bytes
 * were read: fewer than asked at the end of the blob or of a written run,
 * 0 at or past the end; a read whose first byte is missing throws
 * DataUnavailableError. Writes go anywhere inside the blob's size.
 */
export class BlobHandle {
  private closed = false

  constructor (private readonly blob: OpenBlob, private readonly host: BlobHost, readonly writable: boolean) {}

  get id (): number { return this.blob.id }
  get hash (): Hash { return this.blob.hash }
  get size (): number { return this.blob.size }
  get written (): ByteRanges { return this.blob.verified ? ByteRanges.of([0, this.blob.size]) : this.blob.written }
  get verified (): boolean { return this.blob.verified }

  async read (buffer: Uint8Array, offset: number, length: number = buffer.byteLength): Promise<number> {
    this.checkOpen()
    return await this.blob.read(buffer, offset, length)
  }

  async write (data: BlobBytes, offset: number): Promise<void> {
    this.checkOpen()
    if (!this.writable) throw new RealizeError('BLOB_READ_ONLY', `blob ${this.blob.id} was opened for reading`)
    await this.blob.write(data, offset)
  }

  async checkpoint (): Promise<void> {
    this.checkOpen()
    await this.blob.checkpoint()
  }

  /**
   * Claims the missing chunks of [start, end) that no other writer is
   * fetching (range-claims.ts): fetch `claim.fetch`, call `progress` as
   * bytes land and `release` at the end; wait on `claim.others`.
   */
  claim (start: number, end: number): Claim {
    this.checkOpen()
    if (!this.writable) throw new RealizeError('BLOB_READ_ONLY', `blob ${this.blob.id} was opened for reading`)
    return this.blob.claims.claim(this.written, this.blob.size, start, end)
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.writable) this.blob.writers--
    else this.blob.readers--
    if (this.writable && this.blob.writers === 0) {
      await this.blob.checkpoint()
      this.blob.releaseReservation()
    }
    // Another handle's last checkpoint may still run: the file closes after it.
    await this.blob.settled()
    if (this.blob.refs === 0 && this.blob.closing == null) await this.host.closed(this.blob)
  }

  private checkOpen (): void {
    if (this.closed) throw new RealizeError('BLOB_CLOSED', `blob ${this.blob.id}: handle is closed`)
  }
}

/** Bytes of file system blocks a write of [start, end) would newly allocate. */
function freshBlockBytes (written: ByteRanges, start: number, end: number, size: number): number {
  const limit = Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE
  const s = Math.floor(start / BLOCK_SIZE) * BLOCK_SIZE
  const e = Math.min(Math.ceil(end / BLOCK_SIZE) * BLOCK_SIZE, limit)
  const near = written.intersection(ByteRanges.of([Math.max(0, s - BLOCK_SIZE), Math.min(limit, e + BLOCK_SIZE)]))
  const held = ByteRanges.of(...near.ranges.map((r): [number, number] => [
    Math.floor(r.start / BLOCK_SIZE) * BLOCK_SIZE,
    Math.min(Math.ceil(r.end / BLOCK_SIZE) * BLOCK_SIZE, limit)
  ]))
  return ByteRanges.of([s, e]).difference(held).bytes
}
