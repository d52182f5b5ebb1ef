import { textKey } from '../codecs.js'
import { Table } from '../table.js'
import type { Batch, ScanOptions, Store } from '../store.js'
import type { Hash } from '../types/hash.js'
import type { RelPath } from '../types/path.js'

/** What this node deleted at one path, and when. */
export interface Tombstone {
  /** The hashes the real file had: the last one first, then its `previous`. */
  hashes: Hash[]
  /** When the deletion was indexed (ms since the epoch); tombstones expire after `history.inactive_after`. */
  deletedAt: number
  /**
   * The blob the node moved the deleted content into (a delete following a
   * peer's Remove: pending removal), if any: when the version comes back it
   * is restored from there instead of fetched again.
   */
  blobId?: number
}

/**
 * What this node deleted: `path -> {hashes, deletedAt, blobId?}`. A remote
 * version among the hashes is one our own Remove already superseded, so it
 * is not realized again while lagging peers still list it, and a full
 * catch-up sends them so a returning peer learns of deletions its
 * publisher's trimmed history no longer holds (docs/consensus.md). A new
 * local version clears it, and so does a peer bringing a deleted version
 * back (node/consensus/returned.ts).
 * Layout: deletedAt as a float64 (big-endian), the blob id as a float64 (0:
 * none), then the 32-byte hashes back to back. Older layouts (no blob id:
 * 8 bytes before the hashes; hashes only) still decode.
 */
export const tombstonesTable = new Table<RelPath, Tombstone>('tombstones', textKey<RelPath>(), {
  encode: ({ hashes, deletedAt, blobId }) => {
    const b = new Uint8Array(16 + hashes.length * 32)
    const view = new DataView(b.buffer)
    view.setFloat64(0, deletedAt)
    view.setFloat64(8, blobId ?? 0)
    hashes.forEach((h, i) => { b.set(h, 16 + i * 32) })
    return b
  },
  decode: (b) => {
    const hashes: Hash[] = []
    const start = b.byteLength % 32
    for (let i = start; i + 32 <= b.byteLength; i += 32) hashes.push(b.slice(i, i + 32) as Hash)
    const view = new DataView(b.buffer, b.byteOffset, start)
    // Tombstones written before deletedAt existed are hashes only: they count as deleted at the epoch.
    const deletedAt = start >= 8 ? view.getFloat64(0) : 0
    const blobId = start >= 16 ? view.getFloat64(8) : 0
    return blobId > 0 ? { hashes, deletedAt, blobId } : { hashes, deletedAt }
  }
})

export class TombstonesTable {
  constructor (private readonly store: Store) {}

  /** The hashes deleted at `path` (decide's input). */
  async get (path: RelPath): Promise<Hash[] | undefined> {
    return (await this.store.get(tombstonesTable, path))?.hashes
  }

  async getIn (batch: Batch, path: RelPath): Promise<Hash[] | undefined> {
    return (await batch.get(tombstonesTable, path))?.hashes
  }

  /** The whole tombstone, in a batch. */
  async entryIn (batch: Batch, path: RelPath): Promise<Tombstone | undefined> {
    return await batch.get(tombstonesTable, path)
  }

  put (batch: Batch, path: RelPath, hashes: Hash[], deletedAt: number, blobId?: number): void {
    batch.put(tombstonesTable, path, blobId == null ? { hashes, deletedAt } : { hashes, deletedAt, blobId })
  }

  async prefetch (batch: Batch, paths: Iterable<RelPath>): Promise<void> {
    await batch.prefetch(tombstonesTable, paths)
  }

  delete (batch: Batch, path: RelPath): void {
    batch.delete(tombstonesTable, path)
  }

  /** Every tombstone in path order. */
  all (options?: ScanOptions): AsyncGenerator<[RelPath, Tombstone]> {
    return this.store.scan(tombstonesTable, options)
  }
}
