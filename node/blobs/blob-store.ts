import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { BLOB_QUEUES, blobQueueTable, blobTable, type BlobEntry, type BlobQueue } from '../../datastore/tables/blobs.js'
import { Counter } from '../../datastore/tables/meta.js'
import { adoptFile, type AdoptOptions } from './adopt.js'
import { BlobFile, moveFile } from './blob-file.js'
import { BlobHandle, OpenBlob, type BlobHost } from './blob-handle.js'
import { BLOCK_SIZE } from './capacity.js'
import { BlobNotFoundError, DataUnavailableError } from './errors.js'
import { insert, remove, update } from './lru.js'
import { BlobQueues } from './queues.js'
import { startupScan, type ScanReport } from './startup-scan.js'
import { hashFile } from '../real/hasher.js'
import { ByteRanges } from '../../datastore/types/byte-ranges.js'
import { InvalidInputError, RealizeError } from '../../datastore/types/errors.js'
import { asHash, hashEquals, type Hash } from '../../datastore/types/hash.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Batch } from '../../datastore/store.js'
import type { BlobCache, EvictableStore } from './blob-cache.js'

/** Bytes written between checkpoints of a blob's written ranges. */
export const DEFAULT_CHECKPOINT_BYTES = 64 * 1024 * 1024

export type FaultPoint = 'create:before-table' | 'checkpoint:before-table' | 'evict:before-file' | 'adopt:before-file' | 'adopt:after-check' | 'adopt:after-file'

export interface BlobStoreOptions {
  store: ArenaStore
  /** `<data>/blobs/<encodeURIComponent(arena)>`, see blobDir. */
  dir: string
  cache: BlobCache
  /** @default Date.now */
  now?: () => number
  /** @default DEFAULT_CHECKPOINT_BYTES */
  checkpointBytes?: number
  /** Tests: called at points where a crash matters; a throw stops the operation there, like a crash. */
  faults?: (point: FaultPoint, id: number) => void | Promise<void>
}

export interface BlobInfo extends Omit<BlobEntry, 'prev' | 'next'> {
  id: number
}

export type VerifyResult = { ok: true } | { ok: false, actual: Hash }

export interface VerifyOptions {
  signal?: AbortSignal
  /**
   * The hash of the blob's content, computed by the writer as it wrote every
   * byte in order (a download in one pass): the file is not read again.
   */
  hashed?: Hash
  /**
   * fdatasync before marking it verified, so a verified blob survives power
   * loss. A blob about to be moved into an arena root (realize) need not.
   * @default true
   */
  durable?: boolean
}

export function blobDir (dataDir: string, arena: string): string {
  return join(dataDir, 'blobs', encodeURIComponent(arena))
}

/**
 * One arena's blobs {#bloblru}: sparse files named by blob id under `dir`,
 * entries in the arena store, three LRU queues, space from the node's
 * BlobCache. A blob id is a per-arena counter, never reused: a stale id
 * held elsewhere (a chosen entry after an eviction) can never name other
 * content.
 */
export class BlobStore implements EvictableStore {
  usedBytes: number
  readonly scanReport: ScanReport
  private readonly opens = new Map<number, OpenBlob>()
  private readonly opening = new Map<number, Promise<OpenBlob>>()
  private readonly evicting = new Set<number>()
  private readonly adopting = new Set<number>()
  private readonly verifying = new Map<number, Promise<VerifyResult>>()
  private readonly queues: BlobQueues
  private readonly host: BlobHost
  private readonly now: () => number

  private constructor (private readonly options: BlobStoreOptions, private readonly counter: Counter, used: number, report: ScanReport) {
    this.usedBytes = used
    this.scanReport = report
    this.now = options.now ?? Date.now
    this.queues = new BlobQueues(options.store, (id) => this.busy(id))
    const cache = options.cache
    this.host = {
      cache,
      checkpointBytes: options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES,
      addUsed: (delta) => { this.usedBytes += delta },
      persist: async (blob, written, allocated) => {
        await this.options.faults?.('checkpoint:before-table', blob.id)
        await this.store.store.write(async (b) => {
          if (await b.get(blobTable, blob.id) != null) await update(b, blob.id, { written, allocated })
        })
      },
      closed: async (blob) => { await this.closeBlob(blob) }
    }
  }

  /** Opens the store after a startup scan, and registers it with the cache. */
  static async open (options: BlobStoreOptions): Promise<BlobStore> {
    const report = await startupScan(options.store, options.dir)
    let used = 0
    for (const q of BLOB_QUEUES) used += (await options.store.blobs.queue(q)).bytes
    const s = new BlobStore(options, await Counter.open(options.store.store, 'blob'), used, report)
    options.cache.register(s)
    return s
  }

  get dir (): string { return this.options.dir }
  get cache (): BlobCache { return this.options.cache }
  private get store (): ArenaStore { return this.options.store }

  pathOf (id: number): string {
    return join(this.options.dir, String(id))
  }

  /**
   * A new, empty blob for version `hash` of `size` bytes, opened for writing.
   * A `protected` (keep) blob reserves its whole size first, so a download
   * that cannot fit fails now with CacheFullError rather than halfway.
   */
  async create (hash: Hash, size: number, options: { queue?: 'working' | 'protected' } = {}): Promise<BlobHandle> {
    asHash(hash)
    if (!Number.isSafeInteger(size) || size < 0) throw new InvalidInputError('INVALID_SIZE', `invalid blob size ${size}`)
    const queue = options.queue ?? 'working'
    const reserve = queue === 'protected' ? Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE : 0
    await this.cache.reserve(reserve)
    let blob: OpenBlob | undefined
    try {
      await this.store.store.write(async (b) => {
        const id = this.counter.take(b)
        // File first, entry second: a crash in between leaves an orphan file for the startup scan.
        const file = await BlobFile.create(this.pathOf(id), size)
        blob = new OpenBlob(this.host, id, hash, size, file, ByteRanges.EMPTY, false, 0)
        blob.writers = 1
        this.opens.set(id, blob)
        await this.options.faults?.('create:before-table', id)
        const now = this.now()
        await insert(b, id, {
          hash, size, written: ByteRanges.EMPTY, verified: false, queue, prev: 0, next: 0,
          lastAccess: now, allocated: 0, keep: queue === 'protected', reads: 0, countedAt: 0
        }, queue)
      })
    } catch (err) {
      this.cache.release(reserve)
      if (blob != null) {
        this.opens.delete(blob.id)
        await blob.file.close().catch(() => {})
      }
      throw err
    }
    const created = blob as OpenBlob
    created.reserved = reserve
    return new BlobHandle(created, this.host, true)
  }

  /** Opens blob `id`; a read-open counts as an access (LRU order, promotion). */
  async open (id: number, options: { write?: boolean } = {}): Promise<BlobHandle> {
    const write = options.write === true
    let blob = this.opens.get(id)
    while (blob?.closing != null) {
      await blob.closing
      blob = this.opens.get(id)
    }
    if (blob == null) {
      if (this.evicting.has(id)) throw new BlobNotFoundError(id)
      let pending = this.opening.get(id)
      if (pending == null) {
        pending = this.load(id).finally(() => this.opening.delete(id))
        this.opening.set(id, pending)
      }
      blob = await pending
    }
    if (write) blob.writers++
    else blob.readers++
    const handle = new BlobHandle(blob, this.host, write)
    try {
      if (write) await this.reserveRest(blob)
      else await this.queues.touch(id, this.now())
    } catch (err) {
      await handle.close()
      throw err
    }
    return handle
  }

  async get (id: number): Promise<BlobInfo | undefined> {
    const e = await this.store.blobs.get(id)
    if (e == null) return undefined
    const { prev, next, ...rest } = e
    const live = this.opens.get(id)
    return { id, ...rest, written: live?.written ?? rest.written, verified: live?.verified ?? rest.verified }
  }

  /** Blob ids of `queue`, least recently used first. */
  async queue (queue: BlobQueue): Promise<number[]> {
    return await this.queues.list(queue)
  }

  isOpen (id: number): boolean {
    return this.opens.has(id) || this.opening.has(id)
  }

  /**
   * Hashes the complete blob: on a match it is marked verified (after an
   * fdatasync, so a verified blob survives power loss), else the actual
   * hash is returned and the caller repairs it.
   */
  async verify (id: number, options: VerifyOptions = {}): Promise<VerifyResult> {
    // A range reader and a download that complete the same blob hash it once.
    const running = this.verifying.get(id)
    if (running != null) return await running
    const run = this.verifyOnce(id, options).finally(() => this.verifying.delete(id))
    this.verifying.set(id, run)
    return await run
  }

  private async verifyOnce (id: number, options: VerifyOptions): Promise<VerifyResult> {
    const handle = await this.open(id, { write: true })
    try {
      if (handle.verified) return { ok: true }
      const blob = this.opens.get(id) as OpenBlob
      const missing = ByteRanges.of([0, blob.size]).difference(blob.written).ranges[0]
      if (missing != null) throw new DataUnavailableError(id, missing)
      await handle.checkpoint()
      if (options.durable !== false) await blob.file.datasync()
      const hash = options.hashed ?? (await hashFile(this.pathOf(id), { signal: options.signal, expectSize: blob.size })).hash
      if (!hashEquals(hash, blob.hash)) return { ok: false, actual: hash }
      await this.store.store.write(async (b) => { await update(b, id, { verified: true, written: ByteRanges.of([0, blob.size]) }) })
      blob.verified = true
      return { ok: true }
    } finally {
      await handle.close()
    }
  }

  /**
   * Drops what an unverified blob holds (its content failed verification
   * and repair): its written ranges become empty and its file all holes,
   * so `ls` shows no cached bytes and the next download starts clean.
   */
  async discard (id: number): Promise<void> {
    const handle = await this.open(id, { write: true })
    try {
      if (handle.verified) throw new RealizeError('BLOB_VERIFIED', `blob ${id} is verified; its content cannot change`)
      await (this.opens.get(id) as OpenBlob).discard()
    } finally {
      await handle.close()
    }
  }

  /** Sets whether the blob's file is marked keep: keep -> protected; no longer keep -> working. */
  async keep (id: number, keep: boolean): Promise<void> {
    await this.queues.keep(id, keep)
  }

  /** In the caller's batch: the blob's version is no longer chosen; it goes to pending removal. */
  async retire (batch: Batch, id: number): Promise<void> {
    await this.queues.retire(batch, id)
  }

  /** The blob's version is served again: back from pending removal to working. */
  async reinstate (id: number): Promise<void> {
    await this.queues.reinstate(id)
  }

  /** In the caller's batch: see BlobQueues.reclaim (a version that came back, node/consensus/returned.ts). */
  async reclaim (batch: Batch, id: number, hash: Hash): Promise<boolean> {
    return await this.queues.reclaim(batch, id, hash, this.evicting.has(id))
  }

  async oldestEvictable (queue: BlobQueue): Promise<{ id: number, lastAccess: number } | undefined> {
    return await this.queues.oldestEvictable(queue)
  }

  /** Unrealize: moves a complete file into a new blob; see adopt.ts. */
  async adopt (source: string, hash: Hash, size: number, options: AdoptOptions = {}): Promise<number> {
    return await adoptFile({
      store: this.store,
      cache: this.cache,
      dir: this.dir,
      pathOf: (id) => this.pathOf(id),
      takeId: (b) => this.counter.take(b),
      guard: (id) => { this.adopting.add(id); return () => this.adopting.delete(id) },
      addUsed: (n) => { this.usedBytes += n },
      now: this.now,
      faults: this.options.faults
    }, source, hash, size, options)
  }

  /**
   * Realize: moves blob `id`'s file to `target` (a temporary name next to
   * the file it becomes, see churten's install) and forgets the blob, so
   * the content is not copied again. Entry first, then the file: a crash in
   * between leaves an orphan file that the startup scan removes.
   */
  async moveOut (id: number, target: string): Promise<void> {
    if (this.busy(id)) throw new RealizeError('BLOB_BUSY', `blob ${id} is open`)
    this.evicting.add(id)
    try {
      const entry = await this.store.store.write(async (b) => await b.get(blobTable, id) == null ? undefined : await remove(b, id))
      if (entry == null) throw new BlobNotFoundError(id)
      this.usedBytes -= entry.allocated
      await moveFile(this.pathOf(id), target, `${target}.copy`)
    } finally {
      this.evicting.delete(id)
    }
  }

  /** Removes a blob that is not open; false when it is busy. Entry first, then the file. */
  async evict (id: number): Promise<boolean> {
    if (this.busy(id)) return false
    this.evicting.add(id)
    try {
      const entry = await this.store.store.write(async (b) => await b.get(blobTable, id) == null ? undefined : await remove(b, id))
      if (entry == null) return true
      this.usedBytes -= entry.allocated
      await this.options.faults?.('evict:before-file', id)
      await BlobFile.remove(this.pathOf(id))
      return true
    } finally {
      this.evicting.delete(id)
    }
  }

  /** Deletes a blob now whatever its queue (not when open). */
  async delete (id: number): Promise<boolean> {
    if (this.isOpen(id)) throw new RealizeError('BLOB_BUSY', `blob ${id} is open`)
    return await this.evict(id)
  }

  /** Removes every blob of the arena (the arena is deleted). */
  async deleteAll (): Promise<void> {
    if (this.opens.size > 0) throw new RealizeError('BLOB_BUSY', `${this.opens.size} blobs are open`)
    const ids: number[] = []
    for await (const [id] of this.store.blobs.all()) ids.push(id)
    await this.store.store.write((b) => {
      for (const id of ids) b.delete(blobTable, id)
      for (const q of BLOB_QUEUES) b.delete(blobQueueTable, q)
    })
    this.usedBytes = 0
    await rm(this.options.dir, { recursive: true, force: true })
  }

  async close (): Promise<void> {
    this.cache.unregister(this)
    for (const blob of this.opens.values()) {
      await blob.checkpoint().catch(() => {})
      blob.releaseReservation()
      await blob.file.close().catch(() => {})
    }
    this.opens.clear()
  }

  /** A keep download resumed: hold the room for the rest of it, as create did. */
  private async reserveRest (blob: OpenBlob): Promise<void> {
    if (blob.verified) return
    const e = await this.store.blobs.get(blob.id)
    if (e?.keep !== true) return
    const rest = Math.ceil(blob.size / BLOCK_SIZE) * BLOCK_SIZE - blob.allocated - blob.reserved
    if (rest <= 0) return
    await this.cache.reserve(rest)
    blob.reserved += rest
  }

  private busy (id: number): boolean {
    return this.opens.has(id) || this.opening.has(id) || this.evicting.has(id) || this.adopting.has(id)
  }

  private async load (id: number): Promise<OpenBlob> {
    const e = await this.store.blobs.get(id)
    if (e == null) throw new BlobNotFoundError(id)
    const { file, created } = await BlobFile.open(this.pathOf(id), e.size)
    if (created) {
      // A missing file holds nothing, whatever the entry said.
      await this.store.store.write(async (b) => { await update(b, id, { written: ByteRanges.EMPTY, verified: false, allocated: 0 }) })
      this.usedBytes -= e.allocated
    }
    const blob = new OpenBlob(this.host, id, e.hash, e.size, file, created ? ByteRanges.EMPTY : e.written, created ? false : e.verified, created ? 0 : e.allocated)
    this.opens.set(id, blob)
    return blob
  }

  private async closeBlob (blob: OpenBlob): Promise<void> {
    blob.closing = (async () => {
      try {
        await blob.file.close()
      } finally {
        this.opens.delete(blob.id)
      }
    })()
    await blob.closing
  }
}
