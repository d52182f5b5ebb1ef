import {
  CHOSEN, ROOT_INODE, fileKey, peerKey, unrealFileTable, unrealInodeTable, unrealPeerTable, type InodeValue
} from '../../datastore/tables/unreal-tree.js'
import { parallelPeers, type Chosen, type FileVersions } from './chosen.js'
import { DirListings } from './dir-listings.js'
import { baseName, parentOf, type RelPath } from '../../datastore/types/path.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Batch } from '../../datastore/store.js'
import type { Version } from '../../datastore/types/version.js'
import type { Hash } from '../../datastore/types/hash.js'
import type { InodeAllocator } from './inode-ranges.js'
import type { PeerId } from './types.js'

/** Where a retired version's blob goes: the pending-removal queue {#bloblru}. */
export interface BlobRetirer {
  retire: (batch: Batch, blobId: number) => Promise<void>
  /**
   * In the caller's batch: blob `blobId` holds `hash` complete and verified
   * and serves again (back from pending removal); false if it does not.
   */
  reclaim?: (batch: Batch, blobId: number, hash: Hash) => Promise<boolean>
}

export interface TreeContext {
  store: ArenaStore
  inodes: InodeAllocator
  blobs?: BlobRetirer
}

/** One file's versions inside a batch, and what the batch holds for it so far. */
export interface FileState extends FileVersions {
  inode: number
  path: RelPath
  dir: number
  /** The chosen entry as the batch has it (undefined: none yet). */
  saved: Chosen | undefined
  savedConflict: boolean
}

/** Concurrent reads per batch when loading file states ahead. */
const LOAD_CONCURRENCY = 16
/** Deeper than any real path: a loop in corrupt records stops here. */
const MAX_DEPTH = 4096

/**
 * The unreal tree as one store batch reads and writes it: directories,
 * file states, and everything a file change writes with it (conflict, blob
 * move, dirty mark). Range scans do not see the batch's own writes, so
 * file states and directory listings are cached for the batch and every
 * write goes through the caches.
 */
export class TreeBatch {
  private readonly dirs = new Map<RelPath, number>()
  private readonly dirPaths = new Map<number, RelPath>([[ROOT_INODE, '' as RelPath]])
  private readonly files = new Map<number, FileState>()
  readonly listings: DirListings
  /** Paths marked dirty by this batch, in order. */
  readonly changed: RelPath[] = []
  /** Files whose entries this batch wrote, as it leaves them (`saved` undefined: removed). */
  readonly touched = new Map<number, FileState>()

  constructor (readonly batch: Batch, private readonly ctx: TreeContext) {
    this.listings = new DirListings(batch, ctx.store.unreal)
  }

  async prefetchDirty (paths: Iterable<RelPath>): Promise<void> {
    await this.ctx.store.dirty.prefetch(this.batch, paths)
  }

  isLoaded (inode: number): boolean {
    return this.files.has(inode)
  }

  /**
   * The file at `path`, created (with its directories) when `create`.
   * Undefined when it does not exist, or when the tree has a directory
   * where the path needs a file or a file where it needs a directory.
   */
  async fileFor (path: RelPath, create: boolean): Promise<FileState | undefined> {
    const dir = await this.resolveDir(parentOf(path), create)
    if (typeof dir !== 'number') return undefined
    const entry = await this.listings.get(dir, baseName(path))
    if (entry != null) return entry.kind === 'file' ? await this.load(entry.inode, path, dir) : undefined
    if (!create) return undefined
    const inode = await this.ctx.inodes.take(this.batch)
    const file: FileState = { inode, path, dir, chosen: undefined, peers: new Map(), saved: undefined, savedConflict: false }
    this.listings.put(dir, baseName(path), { inode, kind: 'file' })
    this.batch.put(unrealInodeTable, inode, { parent: dir, name: baseName(path), kind: 'file' as const, children: 0 })
    await this.adjustChildren(dir, 1)
    this.files.set(inode, file)
    return file
  }

  async load (inode: number, path: RelPath, dir: number): Promise<FileState> {
    const cached = this.files.get(inode)
    if (cached != null) return cached
    let chosen: Chosen | undefined
    const peers = new Map<PeerId, Version>()
    for await (const [peer, entry] of this.ctx.store.unreal.fileEntries(inode)) {
      if (peer === CHOSEN) chosen = entry
      else peers.set(peer, entry.version)
    }
    // A concurrent load of the same inode may have finished first.
    const raced = this.files.get(inode)
    if (raced != null) return raced
    const file: FileState = { inode, path, dir, chosen, peers, saved: chosen, savedConflict: false }
    file.savedConflict = parallelPeers(file).length > 0
    this.files.set(inode, file)
    return file
  }

  /** Loads many file states concurrently (before any write to them in this batch). */
  async loadAll (wanted: Array<{ inode: number, path: RelPath, dir: number }>): Promise<void> {
    const queue = wanted.filter((w) => !this.files.has(w.inode))
    const worker = async (): Promise<void> => {
      for (let w = queue.pop(); w != null; w = queue.pop()) await this.load(w.inode, w.path, w.dir)
    }
    await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker))
  }

  /**
   * The inode of directory `path`: a number, undefined if missing, 'blocked'
   * if a file is in the way. A loop, not recursion: the nearest known
   * ancestor is found going up, then each level is looked up (or made)
   * going down, so a path's depth never costs stack.
   */
  async resolveDir (path: RelPath, create: boolean): Promise<number | undefined | 'blocked'> {
    let start = path
    let inode = path === '' ? ROOT_INODE : this.dirs.get(path)
    while (inode == null) {
      start = parentOf(start)
      inode = start === '' ? ROOT_INODE : this.dirs.get(start)
    }
    if (start === path) return inode
    let at = start
    for (const name of path.slice(start === '' ? 0 : start.length + 1).split('/')) {
      at = (at === '' ? name : `${at}/${name}`) as RelPath
      const entry = await this.listings.get(inode, name)
      if (entry != null) {
        if (entry.kind !== 'dir') return 'blocked'
        this.remember(at, entry.inode)
        inode = entry.inode
        continue
      }
      if (!create) return undefined
      const made = await this.ctx.inodes.take(this.batch)
      this.listings.put(inode, name, { inode: made, kind: 'dir' })
      this.listings.created(made, { parent: inode, name, kind: 'dir', children: 0 })
      await this.adjustChildren(inode, 1)
      this.remember(at, made)
      inode = made
    }
    return inode
  }

  /** The path of an inode from the inode records (a loop up to the root or a known directory); undefined if unknown. */
  async pathOf (inode: number): Promise<RelPath | undefined> {
    const names: string[] = []
    const dirs: Array<{ inode: number, at: number }> = []
    let at = inode
    let base: RelPath | undefined = at === ROOT_INODE ? '' as RelPath : this.dirPaths.get(at)
    while (base == null) {
      const rec = await this.batch.get(unrealInodeTable, at)
      if (rec == null || names.length > MAX_DEPTH) return undefined
      if (rec.kind === 'dir') dirs.push({ inode: at, at: names.length })
      names.push(rec.name)
      at = rec.parent
      base = at === ROOT_INODE ? '' as RelPath : this.dirPaths.get(at)
    }
    let path: RelPath = base
    // Going down: remember each directory met on the way, as the recursive walk did.
    for (let i = names.length - 1; i >= 0; i--) {
      path = (path === '' ? names[i] : `${path}/${names[i] as string}`) as RelPath
      const d = dirs.find((x) => x.at === i)
      if (d != null) this.remember(path, d.inode)
    }
    return path
  }

  /** Writes a file's changed peer entries and chosen entry, its conflict, blob move and dirty mark. */
  async save (file: FileState, peers: PeerId[], gen: number): Promise<void> {
    const { batch } = this
    for (const peer of peers) {
      const v = file.peers.get(peer)
      if (v == null) {
        batch.delete(unrealFileTable, fileKey(file.inode, peer))
        batch.delete(unrealPeerTable, peerKey(peer, file.inode))
      } else {
        batch.put(unrealFileTable, fileKey(file.inode, peer), { version: v, chain: [] })
        batch.put(unrealPeerTable, peerKey(peer, file.inode), gen)
      }
    }
    const before = file.saved
    const after = file.chosen
    // A version no longer served goes to pending removal; it may still be
    // read as the basis of a delta download until it is evicted.
    if (before?.blobId != null && before.blobId !== after?.blobId) await this.ctx.blobs?.retire(batch, before.blobId)
    if (after == null) {
      // Peers still listed are behind on the chain of a version that is gone:
      // forget them with the file, or a later look would serve their old copy.
      for (const peer of file.peers.keys()) {
        batch.delete(unrealFileTable, fileKey(file.inode, peer))
        batch.delete(unrealPeerTable, peerKey(peer, file.inode))
      }
      file.peers.clear()
      await this.removeFile(file)
    } else if (after !== before) {
      batch.put(unrealFileTable, fileKey(file.inode, CHOSEN), after)
      file.saved = after
    }
    await this.saveConflict(file)
    await this.ctx.store.dirty.mark(batch, file.path)
    this.changed.push(file.path)
    this.touched.set(file.inode, file)
  }

  private remember (path: RelPath, inode: number): void {
    this.dirs.set(path, inode)
    this.dirPaths.set(inode, path)
  }

  private forget (path: RelPath, inode: number): void {
    this.dirs.delete(path)
    this.dirPaths.delete(inode)
  }

  private async adjustChildren (dir: number, delta: number): Promise<InodeValue> {
    const rec = await this.listings.record(dir)
    if (rec == null) throw new Error(`unreal tree: directory inode ${dir} has no record`)
    const next = { ...rec, children: Math.max(0, rec.children + delta) }
    this.listings.putRecord(dir, next)
    return next
  }

  private async saveConflict (file: FileState): Promise<void> {
    const conflict = file.chosen != null && parallelPeers(file).length > 0
    if (!conflict && !file.savedConflict) return
    const conflicts = this.ctx.store.conflicts
    const old = await conflicts.getIn(this.batch, file.path)
    const remote = conflict ? [...file.peers].map(([peer, version]) => ({ peer, version })).sort((a, b) => a.peer < b.peer ? -1 : 1) : []
    const entry = { ...old, remote, chosen: conflict ? file.chosen?.version.hash : undefined }
    if (entry.chosen == null) delete entry.chosen
    conflicts.put(this.batch, file.path, entry)
    file.savedConflict = conflict
  }

  /** The last peer let go: the file leaves the tree, and so do directories it leaves empty. */
  private async removeFile (file: FileState): Promise<void> {
    const { batch } = this
    batch.delete(unrealFileTable, fileKey(file.inode, CHOSEN))
    batch.delete(unrealInodeTable, file.inode)
    this.listings.delete(file.dir, baseName(file.path))
    this.files.delete(file.inode)
    file.saved = undefined
    let dir = file.dir
    let dirPath = parentOf(file.path)
    for (;;) {
      const rec = await this.adjustChildren(dir, -1)
      if (rec.children > 0 || dir === ROOT_INODE) return
      this.listings.deleteRecord(dir)
      this.listings.delete(rec.parent, rec.name)
      this.forget(dirPath, dir)
      dir = rec.parent
      dirPath = parentOf(dirPath)
    }
  }
}
