import { BlobQueueName, BlobQueueValue, BlobValue } from '../schema/blobs.js'
import { numberKey, textKey } from '../codecs.js'
import { Table } from '../table.js'
import { ByteRanges } from '../types/byte-ranges.js'
import type { Store } from '../store.js'
import { plain } from './unreal-tree.js'
import type { Hash } from '../types/hash.js'

/**
 * The blob tables {#bloblru}: one entry per cached version, and per queue
 * its LRU ends and totals. Each queue is a doubly linked list through the
 * entries' `prev`/`next` (0 = none), head = least recently used, so moving
 * a blob costs a few point writes and eviction reads from the head.
 *
 *   blobs        <blobId:16 hex> -> BlobEntry
 *   blob-queues  <queue>         -> {head, tail, count, bytes}
 */

export type BlobQueue = 'working' | 'protected' | 'pending'
export const BLOB_QUEUES: readonly BlobQueue[] = ['working', 'protected', 'pending']

export interface BlobEntry {
  hash: Hash
  size: number
  written: ByteRanges
  verified: boolean
  queue: BlobQueue
  prev: number
  next: number
  /** ms since epoch of the last read-open (or creation). */
  lastAccess: number
  /** Bytes on disk (stat.blocks * 512) as last counted. */
  allocated: number
  /** The file is marked keep: never evicted. */
  keep: boolean
  /** Read-opens counted towards promotion to protected, and when the last one counted (ms). */
  reads: number
  countedAt: number
}

export interface QueueState {
  head: number
  tail: number
  count: number
  bytes: number
}

export const EMPTY_QUEUE: QueueState = { head: 0, tail: 0, count: 0, bytes: 0 }

const TO_PB: Record<BlobQueue, BlobQueueName> = {
  working: BlobQueueName.WORKING,
  protected: BlobQueueName.PROTECTED,
  pending: BlobQueueName.PENDING
}
const FROM_PB: Record<BlobQueueName, BlobQueue> = {
  [BlobQueueName.WORKING]: 'working',
  [BlobQueueName.PROTECTED]: 'protected',
  [BlobQueueName.PENDING]: 'pending'
}

export const blobTable = new Table<number, BlobEntry>('blobs', numberKey, {
  encode: (v) => BlobValue.encode({
    ...v,
    hash: v.hash as Uint8Array<ArrayBuffer>,
    written: v.written.ranges.flatMap((r) => [r.start, r.end]),
    queue: TO_PB[v.queue]
  }),
  decode: (b) => {
    const v = BlobValue.decode(b)
    const pairs: Array<[number, number]> = []
    for (let i = 0; i + 1 < v.written.length; i += 2) pairs.push([v.written[i] as number, v.written[i + 1] as number])
    return { ...v, hash: plain(v.hash), written: ByteRanges.of(...pairs), queue: FROM_PB[v.queue] }
  }
})

export const blobQueueTable = new Table<BlobQueue, QueueState>('blob-queues', textKey<BlobQueue>(), {
  encode: (v) => BlobQueueValue.encode(v),
  decode: (b) => BlobQueueValue.decode(b)
})

/** Reads of the blob tables; writes go through a batch (see node/blobs/lru.ts). */
export class BlobTables {
  constructor (private readonly store: Store) {}

  async get (id: number): Promise<BlobEntry | undefined> {
    return await this.store.get(blobTable, id)
  }

  async queue (name: BlobQueue): Promise<QueueState> {
    return await this.store.get(blobQueueTable, name) ?? { ...EMPTY_QUEUE }
  }

  /** Every blob in id order. */
  all (options?: { signal?: AbortSignal }): AsyncGenerator<[number, BlobEntry]> {
    return this.store.scan(blobTable, options)
  }
}
