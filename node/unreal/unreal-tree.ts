import { EventEmitter } from 'node:events'
import { peerKey, ROOT_INODE, UNREAL_TREE_TABLES, unrealGenTable, unrealPeerTable } from '../../datastore/tables/unreal-tree.js'
import { parallelPeers, type Chosen } from './chosen.js'
import { InodeAllocator, type InodeAllocatorOptions } from './inode-ranges.js'
import { UnrealTx, type BlobRetirer } from './tree-tx.js'
import { FileCache, type FileEntries } from './file-cache.js'
import { checkName, checkPeer, checkVersion, NotADirectoryError, UnrealNotFoundError } from './types.js'
import { parsePath, type RelPath } from '../../datastore/types/path.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Table } from '../../datastore/table.js'
import type { InodeRangeAllocations } from '../../datastore/tables/inode-ranges.js'
import type { Hash } from '../../datastore/types/hash.js'
import type { HistoryNotification } from '../../datastore/types/history.js'
import type { Version } from '../../datastore/types/version.js'
import type { Outcome, PeerId, UnrealEntry, UnrealStat } from './types.js'
import type { FileState } from './tree-batch.js'

export interface UnrealTreeEvents {
  /** Paths changed by one committed batch (each also marked dirty). */
  changed: [RelPath[]]
}

export interface UnrealTreeOptions extends InodeAllocatorOptions {
  /** Receives blobs of versions no longer served {#bloblru}. */
  blobs?: BlobRetirer
}

export interface CatchupFile {
  path: string
  version: Version
  /** The hashes it replaced, newest first (the peer's index `previous`). */
  previous?: readonly Hash[]
}

export type OutcomeCounts = Record<Outcome, number>

/** Files of a peer dropped per batch by deleteMarkedFiles. */
const DROP_BATCH = 1000
/** Deeper than any real path: a loop in corrupt records stops here. */
const MAX_DEPTH = 4096
/** Keys deleted per batch by deleteArena. */
const DELETE_BATCH = 10_000

/**
 * The unreal (spec section 3): what this node knows of the files on other
 * peers, as a tree by inode with each peer's version and the chosen one.
 *
 *   history from peer X --> link / unlink ------------------+
 *   full catch-up       --> markPeerFiles(X)                |
 *                           catchup(X, path, v) ... ---------+--> one batch: entries,
 *                           deleteMarkedFiles(X)             |    chosen (chosen.ts),
 *   reads (FUSE-like)   <-- readdir / lookup / stat          |    conflicts, blob moves,
 *                                                            +--> dirty marks
 *
 * Single operations commit alone; `write` runs many in one batch (a batch
 * of catch-up entries, or live entries with the subscriber's progress).
 */
export class UnrealTree extends EventEmitter<UnrealTreeEvents> {
  private readonly fileCache = new FileCache()

  private constructor (readonly store: ArenaStore, readonly inodes: InodeAllocator, private readonly blobs: BlobRetirer | undefined) {
    super()
  }

  static async open (store: ArenaStore, allocations: InodeRangeAllocations, arena: string, options: UnrealTreeOptions = {}): Promise<UnrealTree> {
    return new UnrealTree(store, await InodeAllocator.open(store, allocations, arena, options), options.blobs)
  }

  /** Runs `fn` as the store's only writer; everything it does commits in one batch. */
  async write<T> (fn: (tx: UnrealTx) => Promise<T>): Promise<T> {
    let changed: RelPath[] = []
    let touched: ReadonlyMap<number, FileState> = new Map()
    const result = await this.store.store.write(async (batch) => {
      const tx = new UnrealTx(batch, { store: this.store, inodes: this.inodes, blobs: this.blobs })
      const r = await fn(tx)
      changed = tx.changed
      touched = tx.touched
      this.fileCache.committing(touched.keys())
      return r
    })
    this.fileCache.committed(touched.values())
    if (changed.length > 0) this.emit('changed', changed)
    return result
  }

  async link (peer: PeerId, path: string, version: Version, options: { oldHash?: Hash } = {}): Promise<Outcome> {
    const p = parsePath(path)
    checkPeer(peer)
    checkVersion(version)
    return await this.write(async (tx) => await tx.link(peer, p, version, options))
  }

  async unlink (peer: PeerId, path: string, oldHash: Hash): Promise<Outcome> {
    const p = parsePath(path)
    checkPeer(peer)
    return await this.write(async (tx) => await tx.unlink(peer, p, oldHash))
  }

  /** A peer's history entry: Add/Replace link, Remove/Drop unlink. */
  async apply (peer: PeerId, n: HistoryNotification): Promise<Outcome> {
    return await this.write(async (tx) => await applyIn(tx, peer, n))
  }

  async markPeerFiles (peer: PeerId): Promise<number> {
    checkPeer(peer)
    return await this.write(async (tx) => await tx.markPeerFiles(peer))
  }

  async catchup (peer: PeerId, path: string, version: Version): Promise<Outcome> {
    const p = parsePath(path)
    checkPeer(peer)
    checkVersion(version)
    return await this.write(async (tx) => await tx.catchup(peer, p, version))
  }

  /** Many files of one catch-up listing in one batch; every path is checked before the store is touched. */
  async catchupMany (peer: PeerId, files: readonly CatchupFile[], options: CatchupOptions = {}): Promise<OutcomeCounts> {
    checkPeer(peer)
    const checked = files.map((f) => ({ path: parsePath(f.path), version: checkVersion(f.version), previous: f.previous }))
    return await this.write(async (tx) => {
      const counts: OutcomeCounts = { changed: 0, unchanged: 0, ignored: 0 }
      await tx.prefetch(peer, checked)
      for (const f of checked) {
        const outcome = await tx.catchup(peer, f.path, f.version, f.previous)
        counts[outcome]++
        if (outcome === 'changed') await options.changed?.(tx, f.path, f.version)
      }
      return counts
    })
  }

  /** Ends a full catch-up: drops `peer` from every file it did not list again. Returns how many. */
  async deleteMarkedFiles (peer: PeerId): Promise<number> {
    checkPeer(peer)
    const gen = await this.store.store.get(unrealGenTable, peer) ?? 0
    const stale: number[] = []
    for await (const [inode, g] of this.store.unreal.peerFiles(peer)) if (g < gen) stale.push(inode)
    let dropped = 0
    for (let i = 0; i < stale.length; i += DROP_BATCH) {
      const chunk = stale.slice(i, i + DROP_BATCH)
      dropped += await this.write(async (tx) => {
        let n = 0
        await tx.batch.prefetch(unrealPeerTable, chunk.map((inode) => peerKey(peer, inode)))
        await tx.prefetchInodes(chunk)
        for (const inode of chunk) {
          // A live link since the scan confirmed the file again.
          const g = await tx.batch.get(unrealPeerTable, peerKey(peer, inode))
          if (g == null || g >= gen) continue
          if (await tx.dropPeerFile(peer, inode) === 'changed') n++
        }
        return n
      })
    }
    return dropped
  }

  /** A directory's entries in name byte order: one range scan. */
  async readdir (inode: number, options?: { signal?: AbortSignal }): Promise<UnrealEntry[]> {
    if (inode !== ROOT_INODE) {
      const rec = await this.store.unreal.inode(inode)
      if (rec == null) throw new UnrealNotFoundError(`inode ${inode}`)
      if (rec.kind !== 'dir') throw new NotADirectoryError(`inode ${inode}`)
    }
    const out: UnrealEntry[] = []
    for await (const [name, e] of this.store.unreal.children(inode, options)) out.push({ name, inode: e.inode, kind: e.kind })
    return out
  }

  async lookup (dirInode: number, name: string): Promise<UnrealEntry | undefined> {
    checkName(name)
    const e = await this.store.unreal.dirEntry(dirInode, name)
    return e == null ? undefined : { name, inode: e.inode, kind: e.kind }
  }

  async lookupPath (path: string): Promise<UnrealEntry | undefined> {
    const p = parsePath(path, { allowRoot: true })
    let entry: UnrealEntry = { name: '', inode: ROOT_INODE, kind: 'dir' }
    if (p === '') return entry
    for (const name of p.split('/')) {
      if (entry.kind !== 'dir') return undefined
      const next = await this.lookup(entry.inode, name)
      if (next == null) return undefined
      entry = next
    }
    return entry
  }

  async stat (inode: number): Promise<UnrealStat | undefined> {
    const rec = await this.store.unreal.inode(inode)
    if (rec == null) return inode === ROOT_INODE ? { kind: 'dir', inode, parent: 0, name: '', children: 0 } : undefined
    if (rec.kind === 'dir') return { kind: 'dir', inode, parent: rec.parent, name: rec.name, children: rec.children }
    const { chosen, peers } = await this.fileEntries(inode)
    if (chosen == null) return undefined
    return {
      kind: 'file',
      inode,
      parent: rec.parent,
      name: rec.name,
      chosen: chosen.version,
      ...(chosen.blobId != null ? { blobId: chosen.blobId } : {}),
      ...(chosen.basisBlobId != null ? { basisBlobId: chosen.basisBlobId } : {}),
      chain: chosen.chain,
      peers: [...peers].map(([peer, version]) => ({ peer, version })),
      conflict: parallelPeers({ chosen, peers }).length > 0
    }
  }

  private async fileEntries (inode: number): Promise<FileEntries> {
    const cached = this.fileCache.get(inode)
    if (cached != null) return cached
    const generation = this.fileCache.generation
    let chosen: Chosen | undefined
    const peers = new Map<PeerId, Version>()
    for await (const [peer, entry] of this.store.unreal.fileEntries(inode)) {
      if (peer === '') chosen = entry
      else peers.set(peer, entry.version)
    }
    this.fileCache.keep(inode, { chosen, peers }, generation)
    return { chosen, peers }
  }

  async statPath (path: string): Promise<UnrealStat | undefined> {
    const e = await this.lookupPath(path)
    return e == null ? undefined : await this.stat(e.inode)
  }

  async pathOf (inode: number): Promise<RelPath | undefined> {
    const names: string[] = []
    for (let at = inode, depth = 0; at !== ROOT_INODE; depth++) {
      const rec = await this.store.unreal.inode(at)
      if (rec == null || depth > MAX_DEPTH) return undefined
      names.push(rec.name)
      at = rec.parent
    }
    return names.reverse().join('/') as RelPath
  }

  /** Records the blob caching the chosen version of `path`; false if `hash` is no longer chosen. */
  async setBlob (path: string, hash: Hash, blobId: number | undefined): Promise<boolean> {
    const p = parsePath(path)
    return await this.write(async (tx) => await tx.setBlob(p, hash, blobId))
  }

  /**
   * Removes the arena's whole tree (and the remote side of its conflicts).
   * The inode range stays: inodes are never reused.
   */
  async deleteArena (): Promise<void> {
    this.fileCache.clear()
    for (const table of UNREAL_TREE_TABLES) await this.deleteAll(table as Table<unknown, unknown>)
    this.fileCache.clear()
    await this.store.store.write(async (b) => {
      for await (const [path, c] of this.store.conflicts.all()) {
        this.store.conflicts.put(b, path, { ...c, remote: [], chosen: undefined })
      }
    })
  }

  private async deleteAll<K, V> (table: Table<K, V>): Promise<void> {
    for (;;) {
      const keys: K[] = []
      for await (const k of this.store.store.scanKeys(table)) {
        keys.push(k)
        if (keys.length >= DELETE_BATCH) break
      }
      if (keys.length === 0) return
      await this.store.store.write((b) => { for (const k of keys) b.delete(table, k) })
    }
  }
}

/** Maps a peer's history notification onto the tree (inside a batch). */
export async function applyIn (tx: UnrealTx, peer: PeerId, n: HistoryNotification): Promise<Outcome> {
  switch (n.kind) {
    case 'add': return await tx.link(peer, n.path, n)
    case 'replace': return await tx.link(peer, n.path, n, { oldHash: n.oldHash })
    case 'remove':
    case 'drop': return await tx.unlink(peer, n.path, n.oldHash)
  }
}

export { UnrealTx, type BlobRetirer } from './tree-tx.js'

export interface CatchupOptions {
  /** Called in the batch for each file whose entry for the peer changed (newly listed, or another version). */
  changed?: (tx: UnrealTx, path: RelPath, version: Version) => Promise<void>
}
export type { UnrealEntry, UnrealStat, UnrealFileStat, UnrealDirStat, PeerVersion, Outcome, PeerId } from './types.js'
