import { IndexValue } from '../schema/tables.js'
import { textKey } from '../codecs.js'
import { encodeText } from '../keys.js'
import { Table } from '../table.js'
import type { Batch, Store } from '../store.js'
import type { RelPath } from '../types/path.js'
import type { Hash } from '../types/hash.js'

/** The real: what this node has in the arena root, `path -> {hash, size, mtime, outdatedBy?}`. */
export interface IndexEntry {
  hash: Hash
  size: number
  mtime: number
  /** A peer replaced this version by that hash (spec section 6). */
  outdatedBy?: Hash
  /** A peer removed this version. */
  removedByPeer?: boolean
  /** Hashes this path had here before, newest first (at most PREVIOUS_KEPT). */
  previous?: Hash[]
}

/** Earlier local versions remembered per path: enough to tell "we are ahead" from a conflict. */
export const PREVIOUS_KEPT = 8

export const indexTable = new Table<RelPath, IndexEntry>('index', textKey<RelPath>(), {
  encode: (v) => IndexValue.encode(v as IndexValue),
  decode: (b) => IndexValue.decode(b) as IndexEntry
})

export class IndexTable {
  constructor (private readonly store: Store) {}

  async get (path: RelPath): Promise<IndexEntry | undefined> {
    return await this.store.get(indexTable, path)
  }

  /** Every entry, in path byte order. */
  all (options?: { signal?: AbortSignal }): AsyncGenerator<[RelPath, IndexEntry]> {
    return this.store.scan(indexTable, options)
  }

  /** Entries strictly below directory `dir` (the root lists everything). */
  under (dir: RelPath, options?: { signal?: AbortSignal }): AsyncGenerator<[RelPath, IndexEntry]> {
    return this.store.scan(indexTable, { ...options, prefix: dir === '' ? '' : encodeText(`${dir}/`) })
  }

  put (batch: Batch, path: RelPath, entry: IndexEntry): void {
    batch.put(indexTable, path, entry)
  }

  delete (batch: Batch, path: RelPath): void {
    batch.delete(indexTable, path)
  }

  async getIn (batch: Batch, path: RelPath): Promise<IndexEntry | undefined> {
    return await batch.get(indexTable, path)
  }

  async prefetch (batch: Batch, paths: Iterable<RelPath>): Promise<void> {
    await batch.prefetch(indexTable, paths)
  }
}
