import { blobQueueTable, blobTable, EMPTY_QUEUE, type BlobEntry, type BlobQueue, type QueueState } from '../../datastore/tables/blobs.js'
import type { Batch } from '../../datastore/store.js'

/**
 * The three LRU queues {#bloblru} as doubly linked lists through the blob
 * entries, edited inside a batch (reads go through it, so several moves in
 * one batch see each other). Head = least recently used = evicted first.
 * Each queue's `count` and `bytes` (allocated) are kept with its ends.
 */

export async function queueState (batch: Batch, queue: BlobQueue): Promise<QueueState> {
  return await batch.get(blobQueueTable, queue) ?? { ...EMPTY_QUEUE }
}

/** Adds a new entry (not in any queue yet) at the tail of `queue`. */
export async function insert (batch: Batch, id: number, entry: BlobEntry, queue: BlobQueue): Promise<BlobEntry> {
  const q = await queueState(batch, queue)
  const linked: BlobEntry = { ...entry, queue, prev: q.tail, next: 0 }
  if (q.tail !== 0) {
    const tail = await mustGet(batch, q.tail)
    batch.put(blobTable, q.tail, { ...tail, next: id })
  } else {
    q.head = id
  }
  q.tail = id
  q.count++
  q.bytes += linked.allocated
  batch.put(blobQueueTable, queue, q)
  batch.put(blobTable, id, linked)
  return linked
}

/** Takes entry `id` out of its queue; returns it unlinked (not written back). */
export async function detach (batch: Batch, id: number): Promise<BlobEntry> {
  const entry = await mustGet(batch, id)
  const q = await queueState(batch, entry.queue)
  if (entry.prev !== 0) {
    const prev = await mustGet(batch, entry.prev)
    batch.put(blobTable, entry.prev, { ...prev, next: entry.next })
  } else {
    q.head = entry.next
  }
  if (entry.next !== 0) {
    const next = await mustGet(batch, entry.next)
    batch.put(blobTable, entry.next, { ...next, prev: entry.prev })
  } else {
    q.tail = entry.prev
  }
  q.count = Math.max(0, q.count - 1)
  q.bytes = Math.max(0, q.bytes - entry.allocated)
  batch.put(blobQueueTable, entry.queue, q)
  return { ...entry, prev: 0, next: 0 }
}

/** Moves `id` to the tail (most recently used) of `queue`, applying `change` to it. */
export async function moveToTail (batch: Batch, id: number, queue: BlobQueue, change: Partial<BlobEntry> = {}): Promise<BlobEntry> {
  const entry = await detach(batch, id)
  return await insert(batch, id, { ...entry, ...change }, queue)
}

/** Removes `id` from its queue and the table. */
export async function remove (batch: Batch, id: number): Promise<BlobEntry> {
  const entry = await detach(batch, id)
  batch.delete(blobTable, id)
  return entry
}

/** Updates fields of `id` in place; a new `allocated` moves its queue's byte total. */
export async function update (batch: Batch, id: number, change: Partial<Omit<BlobEntry, 'queue' | 'prev' | 'next'>>): Promise<BlobEntry> {
  const entry = await mustGet(batch, id)
  const next = { ...entry, ...change }
  if (next.allocated !== entry.allocated) {
    const q = await queueState(batch, entry.queue)
    q.bytes = Math.max(0, q.bytes + next.allocated - entry.allocated)
    batch.put(blobQueueTable, entry.queue, q)
  }
  batch.put(blobTable, id, next)
  return next
}

async function mustGet (batch: Batch, id: number): Promise<BlobEntry> {
  const e = await batch.get(blobTable, id)
  if (e == null) throw new Error(`blob table: entry ${id} is linked but missing`)
  return e
}
