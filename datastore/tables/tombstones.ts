import { textKey } from '../codecs.js'
import { Table } from '../table.js'
import type { Batch, Store } from '../store.js'
import type { Hash } from '../../node/types/hash.js'
import type { RelPath } from '../../node/types/path.js'

/**
 * What this node deleted: `path -> hashes the real file had` (the last one
 * first, then its `previous`). A remote version among them is one our own
 * Remove already superseded, so it is not realized again while lagging peers
 * still list it (docs/consensus.md). A new local version clears it.
 * Layout: the 32-byte hashes back to back.
 */
export const tombstonesTable = new Table<RelPath, Hash[]>('tombstones', textKey<RelPath>(), {
  encode: (hashes) => {
    const b = new Uint8Array(hashes.length * 32)
    hashes.forEach((h, i) => { b.set(h, i * 32) })
    return b
  },
  decode: (b) => {
    const out: Hash[] = []
    for (let i = 0; i + 32 <= b.byteLength; i += 32) out.push(b.slice(i, i + 32) as Hash)
    return out
  }
})

export class TombstonesTable {
  constructor (private readonly store: Store) {}

  async get (path: RelPath): Promise<Hash[] | undefined> {
    return await this.store.get(tombstonesTable, path)
  }

  async getIn (batch: Batch, path: RelPath): Promise<Hash[] | undefined> {
    return await batch.get(tombstonesTable, path)
  }

  put (batch: Batch, path: RelPath, hashes: Hash[]): void {
    batch.put(tombstonesTable, path, hashes)
  }

  delete (batch: Batch, path: RelPath): void {
    batch.delete(tombstonesTable, path)
  }
}
