import { blobTable, type BlobQueue } from '../../datastore/tables/blobs.js'
import { BlobNotFoundError } from './errors.js'
import { moveToTail } from './lru.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Batch } from '../../datastore/store.js'
import { hashEquals, type Hash } from '../../datastore/types/hash.js'

/** Promotion working -> protected {#bloblru}: read-opens counted, at least this far apart. */
export const PROMOTE_READS = 3
export const PROMOTE_GAP_MS = 60_000

/**
 * Which queue a blob is in {#bloblru}, and its place in it:
 *
 * - working: created by on-demand reads; promoted to protected on its
 *   PROMOTE_READS-th read-open, counting opens at least PROMOTE_GAP_MS apart
 *   (a file used in several sessions, not one program opening it in a burst);
 * - protected: marked keep (never evicted), or promoted (evicted after all
 *   working blobs);
 * - pending: versions no longer chosen (evicted first, kept meanwhile as
 *   delta bases).
 */
export class BlobQueues {
  constructor (private readonly store: ArenaStore, private readonly isBusy: (id: number) => boolean) {}

  /** A read-open: most recently used, counted towards promotion. */
  async touch (id: number, now: number): Promise<void> {
    await this.store.store.write(async (b) => {
      const e = await b.get(blobTable, id)
      if (e == null) return
      const counts = e.reads === 0 || now - e.countedAt >= PROMOTE_GAP_MS
      const reads = counts ? e.reads + 1 : e.reads
      const queue = e.queue === 'working' && reads >= PROMOTE_READS ? 'protected' : e.queue
      await moveToTail(b, id, queue, { lastAccess: now, reads, countedAt: counts ? now : e.countedAt })
    })
  }

  /** Marked keep -> protected; no longer keep -> working (most recently used: the user just chose it). */
  async keep (id: number, keep: boolean): Promise<void> {
    await this.store.store.write(async (b) => {
      const e = await b.get(blobTable, id)
      if (e == null) throw new BlobNotFoundError(id)
      if (keep) await moveToTail(b, id, 'protected', { keep: true })
      else if (e.queue === 'protected') await moveToTail(b, id, 'working', { keep: false })
    })
  }

  /** In the caller's batch: the version is no longer chosen. */
  async retire (batch: Batch, id: number): Promise<void> {
    const e = await batch.get(blobTable, id)
    if (e == null || e.queue === 'pending') return
    await moveToTail(batch, id, 'pending', { keep: false })
  }

  /** The version is served again: back to working. */
  async reinstate (id: number): Promise<void> {
    await this.store.store.write(async (b) => {
      const e = await b.get(blobTable, id)
      if (e?.queue === 'pending') await moveToTail(b, id, 'working')
    })
  }

  /**
   * In the caller's batch: blob `id` holds `hash` complete and verified;
   * if it waits for removal it serves again (working). False if it is gone,
   * being evicted, or holds something else.
   */
  async reclaim (batch: Batch, id: number, hash: Hash, evicting: boolean): Promise<boolean> {
    const e = await batch.get(blobTable, id)
    if (e == null || evicting || !e.verified || !hashEquals(e.hash, hash) || !e.written.contains(0, e.size)) return false
    if (e.queue === 'pending') await moveToTail(batch, id, 'working')
    return true
  }

  /** The least recently used blob of `queue` that may be evicted now (not busy, not keep). */
  async oldestEvictable (queue: BlobQueue): Promise<{ id: number, lastAccess: number } | undefined> {
    for (let id = (await this.store.blobs.queue(queue)).head; id !== 0;) {
      const e = await this.store.blobs.get(id)
      if (e == null) return undefined
      if (!this.isBusy(id) && !e.keep) return { id, lastAccess: e.lastAccess }
      id = e.next
    }
    return undefined
  }

  /** Blob ids of `queue`, least recently used first. */
  async list (queue: BlobQueue): Promise<number[]> {
    const out: number[] = []
    for (let id = (await this.store.blobs.queue(queue)).head; id !== 0;) {
      out.push(id)
      id = (await this.store.blobs.get(id))?.next ?? 0
    }
    return out
  }
}
