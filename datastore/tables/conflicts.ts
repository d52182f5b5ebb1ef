import { ConflictValue } from '../schema/conflicts.js'
import { textKey } from '../codecs.js'
import { Table } from '../table.js'
import { plain } from './unreal-tree.js'
import type { Batch, Store } from '../store.js'
import type { Hash } from '../types/hash.js'
import type { RelPath } from '../types/path.js'
import type { Version } from '../types/version.js'

/**
 * `path -> {local version, remote versions and peers}` (spec section 3):
 * versions of one path that are not one history chain. The unreal tree
 * writes `remote` and `chosen` (peers on parallel chains); consensus writes
 * `local` (the real file diverges). An entry lives while either side has a
 * conflict.
 */
export interface ConflictEntry {
  local?: Version
  /** Every peer's version of the path, while the remote side has parallel chains. */
  remote: Array<{ peer: string, version: Version }>
  /** The version the unreal tree serves. */
  chosen?: Hash
}

const toPb = (v: Version): ConflictValue['local'] => ({ hash: v.hash as Uint8Array<ArrayBuffer>, size: v.size, mtime: v.mtime })
const fromPb = (v: { hash: Uint8Array, size: number, mtime: number }): Version => ({ hash: plain(v.hash), size: v.size, mtime: v.mtime })

export const conflictsTable = new Table<RelPath, ConflictEntry>('conflicts', textKey<RelPath>(), {
  encode: (c) => ConflictValue.encode({
    local: c.local == null ? undefined : toPb(c.local),
    remote: c.remote.map((r) => ({ peer: r.peer, version: toPb(r.version) })),
    chosen: c.chosen as Uint8Array<ArrayBuffer> | undefined
  }),
  decode: (b) => {
    const v = ConflictValue.decode(b)
    const out: ConflictEntry = {
      remote: v.remote.map((r) => ({ peer: r.peer, version: fromPb(r.version ?? { hash: new Uint8Array(0), size: 0, mtime: 0 }) }))
    }
    if (v.local != null) out.local = fromPb(v.local)
    if (v.chosen != null) out.chosen = plain(v.chosen)
    return out
  }
})

export class ConflictsTable {
  constructor (private readonly store: Store) {}

  async get (path: RelPath): Promise<ConflictEntry | undefined> {
    return await this.store.get(conflictsTable, path)
  }

  async getIn (batch: Batch, path: RelPath): Promise<ConflictEntry | undefined> {
    return await batch.get(conflictsTable, path)
  }

  all (options?: { signal?: AbortSignal }): AsyncGenerator<[RelPath, ConflictEntry]> {
    return this.store.scan(conflictsTable, options)
  }

  /** Writes `entry`, or deletes the path when neither side has a conflict any more. */
  put (batch: Batch, path: RelPath, entry: ConflictEntry): void {
    if (entry.local == null && entry.remote.length === 0) batch.delete(conflictsTable, path)
    else batch.put(conflictsTable, path, entry)
  }

  delete (batch: Batch, path: RelPath): void {
    batch.delete(conflictsTable, path)
  }
}
