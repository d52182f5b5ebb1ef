import { textKey } from '../codecs.js'
import { Table } from '../table.js'
import type { Batch, ScanOptions, Store } from '../store.js'
import type { Hash } from '../../node/types/hash.js'
import type { RelPath } from '../../node/types/path.js'

/** What this node deleted at one path, and when. */
export interface Tombstone {
  /** The hashes the real file had: the last one first, then its `previous`. */
  hashes: Hash[]
  /** When the deletion was indexed (ms since the epoch); tombstones expire after `history.inactive_after`. */
  deletedAt: number
}

/**
 * What this node deleted: `path -> {hashes, deletedAt}`. A remote version
 * among the hashes is one our own Remove already superseded, so it is not
 * realized again while lagging peers still list it, and a full catch-up
 * sends them so a returning peer learns of deletions its publisher's
 * trimmed history no longer holds (docs/consensus.md). A new local version
 * clears it.
 * Layout: deletedAt as a float64 (big-endian), then the 32-byte hashes back
 * to back.
 */
export const tombstonesTable = new Table<RelPath, Tombstone>('tombstones', textKey<RelPath>(), {
  encode: ({ hashes, deletedAt }) => {
    const b = new Uint8Array(8 + hashes.length * 32)
    new DataView(b.buffer).setFloat64(0, deletedAt)
    hashes.forEach((h, i) => { b.set(h, 8 + i * 32) })
    return b
  },
  decode: (b) => {
    const hashes: Hash[] = []
    // Tombstones written before deletedAt existed are hashes only: they count as deleted at the epoch.
    const start = b.byteLength % 32 === 8 ? 8 : 0
    for (let i = start; i + 32 <= b.byteLength; i += 32) hashes.push(b.slice(i, i + 32) as Hash)
    const deletedAt = start === 8 ? new DataView(b.buffer, b.byteOffset, 8).getFloat64(0) : 0
    return { hashes, deletedAt }
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

  put (batch: Batch, path: RelPath, hashes: Hash[], deletedAt: number): void {
    batch.put(tombstonesTable, path, { hashes, deletedAt })
  }

  delete (batch: Batch, path: RelPath): void {
    batch.delete(tombstonesTable, path)
  }

  /** Every tombstone in path order. */
  all (options?: ScanOptions): AsyncGenerator<[RelPath, Tombstone]> {
    return this.store.scan(tombstonesTable, options)
  }
}
