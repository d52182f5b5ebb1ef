import { hashToHex, type Hash } from '../../datastore/types/hash.js'
import { RealizeError } from '../../datastore/types/errors.js'
import type { ByteRange } from '../../datastore/types/byte-ranges.js'
import type { BlobBytes } from '../../protocols/blob/bytes.js'
import type { BlobHandle } from './blob-handle.js'
import type { BlobStore } from './blob-store.js'
import { BlobMismatchError, RangeWaitError } from './errors.js'
import { RANGE_CHUNK_BYTES, type Claim } from './range-claims.js'

/**
 * Range reads of a sparse blob (issue 12): a read fetches only the chunks
 * it lacks, a sequential reader gets a growing read-ahead, and when the
 * last byte is in the blob is verified by hash. The mount and `cat` read
 * this way, so the first bytes of a large remote file arrive without the
 * rest.
 *
 *   read [a, b) ─> claim missing chunks (range-claims.ts: one writer per chunk)
 *     ─> fetch mine from a peer, wait for the others' ─> read the blob file
 *     ─> complete? verify (mismatch: the bytes are dropped, BlobMismatchError)
 *
 * Bytes are served before the whole file is verified (a range read cannot
 * wait for the rest); docs/decisions.md, "FUSE mount", says what follows.
 */
export type RangeFetch = (range: ByteRange, write: (data: BlobBytes, offset: number) => Promise<void>, signal: AbortSignal) => Promise<void>

/** The largest read-ahead of a sequential reader. */
export const READ_AHEAD_MAX_BYTES = 32 * 1024 * 1024

export interface RangeReaderOptions {
  /** Fetches a range from a peer, writing it in order. */
  fetch: RangeFetch
  /** A read waiting on another writer's chunk fails after this long without a new byte in the blob. */
  waitMs: number
  /** @default READ_AHEAD_MAX_BYTES */
  readAheadBytes?: number
}

export class RangeReader {
  /** Where a sequential reader reads next; -1: no read yet. */
  private next = -1
  /** End of what read-ahead has asked for. */
  private ahead = 0
  private window = RANGE_CHUNK_BYTES
  private readonly controller = new AbortController()
  private readonly background = new Set<Promise<void>>()
  private verifying: Promise<void> | undefined

  /** `handle` must be writable; the caller closes it after close(). */
  constructor (private readonly store: BlobStore, readonly handle: BlobHandle, private readonly o: RangeReaderOptions) {}

  get complete (): boolean {
    return this.handle.verified || this.handle.written.contains(0, this.handle.size)
  }

  /** Reads [offset, offset + length) into `buffer`, fetching what the blob lacks; returns the bytes read (0 at the end). */
  async read (buffer: Uint8Array, offset: number, length: number): Promise<number> {
    const size = this.handle.size
    const end = Math.min(offset + length, size)
    if (offset >= end) return 0
    if (!this.handle.verified) {
      this.readAhead(offset, end)
      await this.ensure(offset, end)
    }
    const n = await this.handle.read(buffer, offset, end - offset)
    // Verified in the background: the read that completes the file does not wait on hashing all of it.
    if (!this.handle.verified && this.complete) this.verify().catch(() => {})
    return n
  }

  /**
   * Verifies the complete blob (once, however many callers). `hashed` is
   * the content's hash when the caller read every byte in order (`cat`):
   * the file is not read again. A mismatch drops the blob's bytes.
   */
  async verify (hashed?: Hash): Promise<void> {
    if (this.handle.verified) return
    this.verifying ??= (async () => {
      const id = this.handle.id
      const r = await this.store.verify(id, { hashed, durable: false })
      if (r.ok) return
      await this.store.discard(id)
      throw new BlobMismatchError(id, `the bytes fetched by range hash to ${hashToHex(r.actual).slice(0, 12)}, expected ${hashToHex(this.handle.hash).slice(0, 12)}; dropped`)
    })().finally(() => { this.verifying = undefined })
    await this.verifying
  }

  /** Fetches every byte the blob lacks (a file made real from the mount). */
  async fill (): Promise<void> {
    if (!this.handle.verified) await this.ensure(0, this.handle.size)
  }

  /** The blob's file, to copy a complete blob from. */
  get path (): string { return this.store.pathOf(this.handle.id) }

  /** Resolves when a verification under way ended (whatever its outcome). */
  async settled (): Promise<void> {
    await this.verifying?.catch(() => {})
  }

  /** Stops read-ahead (what arrived stays); the handle stays open. */
  async close (): Promise<void> {
    this.controller.abort()
    await Promise.allSettled([...this.background, this.verifying])
  }

  /** Every byte of [start, end) in the blob: fetched here, or by the writer that claimed it. */
  private async ensure (start: number, end: number): Promise<void> {
    for (;;) {
      const claim = this.handle.claim(start, end)
      if (claim.fetch.isEmpty && claim.others.length === 0) {
        claim.release()
        return
      }
      try {
        for (const r of claim.fetch.ranges) await this.fetch(r, claim)
      } finally {
        claim.release()
      }
      const left = claim.fetch.difference(this.handle.written)
      if (!left.isEmpty) throw new RealizeError('DOWNLOAD_INCOMPLETE', `blob ${this.handle.id}: ${left.bytes} bytes of the range are still missing after the fetch`)
      if (claim.others.length > 0) await this.waitFor(claim.others)
      // Loop: a chunk another writer failed to fetch is missing and unclaimed now: ours next time.
    }
  }

  private async fetch (r: ByteRange, claim: Claim): Promise<void> {
    await this.o.fetch(r, async (data, offset) => {
      await this.handle.write(data, offset)
      claim.progress(this.handle.written)
    }, this.controller.signal)
  }

  /** Waits for other writers' chunks, failing after waitMs in which no byte reached the blob. */
  private async waitFor (others: ReadonlyArray<Promise<void>>): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    let seen = this.handle.written.bytes
    const silent = new Promise<never>((_resolve, reject) => {
      const check = (): void => {
        const now = this.handle.written.bytes
        if (now === seen) { reject(new RangeWaitError(this.handle.id, this.o.waitMs)); return }
        seen = now
        timer = setTimeout(check, this.o.waitMs)
      }
      timer = setTimeout(check, this.o.waitMs)
    })
    try {
      await Promise.race([Promise.all(others), silent])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * A reader that goes on where it stopped (or starts at 0) is sequential:
   * the chunks after its read are fetched ahead in one request, the window
   * doubling up to readAheadBytes. A jump resets it (a seek in a video).
   */
  private readAhead (offset: number, end: number): void {
    const size = this.handle.size
    const sequential = offset === 0 || offset === this.next
    this.next = end
    if (!sequential) {
      this.window = RANGE_CHUNK_BYTES
      this.ahead = end
      return
    }
    if (this.ahead - end >= this.window / 2) return
    this.window = Math.min(this.window * 2, this.o.readAheadBytes ?? READ_AHEAD_MAX_BYTES)
    const from = Math.max(this.ahead, end)
    const to = Math.min(end + this.window, size)
    this.ahead = to
    if (from >= to) return
    // A failed read-ahead costs nothing: the read that needs those bytes fetches them and reports.
    const p = this.ensure(from, to).catch(() => {}).finally(() => this.background.delete(p))
    this.background.add(p)
  }
}
