import { fileKey, peerKey, unrealFileTable, unrealGenTable, unrealInodeTable, unrealPeerTable } from '../../datastore/tables/unreal-tree.js'
import { peerDropped, peerHas, type Chosen } from './chosen.js'
import { TreeBatch, type FileState, type TreeContext } from './tree-batch.js'
import { baseName, parentOf, parsePath, type RelPath } from '../../datastore/types/path.js'
import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import { sameVersion, type Version } from '../../datastore/types/version.js'
import { checkPeer, checkVersion, type Outcome, type PeerId } from './types.js'
import type { Batch } from '../../datastore/store.js'

export type { BlobRetirer, TreeContext } from './tree-batch.js'

/**
 * The unreal tree's operations inside one store batch (spec section 3,
 * unreal cache operations). Everything one `UnrealTree.write` does commits
 * together: entries, inode range, blob queue moves, conflicts and dirty
 * marks. Each operation checks its input before it touches the batch.
 */
export class UnrealTx {
  private readonly tree: TreeBatch
  private readonly gens = new Map<PeerId, number>()

  constructor (readonly batch: Batch, private readonly ctx: TreeContext) {
    this.tree = new TreeBatch(batch, ctx)
  }

  /** Paths marked dirty by this transaction, in order. */
  get changed (): RelPath[] {
    return this.tree.changed
  }

  /**
   * A path this transaction made dirty outside the tree (a peer's effect on
   * the real, a returned version): announced with the tree's own, so
   * churten looks at it now rather than at its next scan.
   */
  noteDirty (path: RelPath): void {
    this.tree.changed.push(path)
  }

  /** Files whose entries this transaction wrote, as it leaves them. */
  get touched (): ReadonlyMap<number, FileState> {
    return this.tree.touched
  }

  /** A peer has `version` at `path` (history Add, or Replace with `oldHash`). */
  async link (peer: PeerId, path: string, version: Version, options: { oldHash?: Hash } = {}): Promise<Outcome> {
    const p = parsePath(path)
    const v = checkVersion(version)
    checkPeer(peer)
    const file = await this.tree.fileFor(p, true)
    if (file == null) return 'ignored'
    const outcome = peerHas(file, peer, v, { oldHash: options.oldHash })
    if (outcome === 'changed') await this.tree.save(file, [peer], await this.genOf(peer))
    return outcome
  }

  /** A peer no longer has `path` (history Remove or Drop); ignored unless it had `oldHash`. */
  async unlink (peer: PeerId, path: string, oldHash: Hash): Promise<Outcome> {
    const p = parsePath(path)
    checkPeer(peer)
    const file = await this.tree.fileFor(p, false)
    if (file == null) return 'ignored'
    const outcome = peerDropped(file, peer, oldHash)
    if (outcome === 'changed') await this.tree.save(file, [peer], 0)
    return outcome
  }

  /**
   * Starts a full catch-up from `peer`: every file it has counts as marked
   * until `catchup` (or a live `link`) confirms it. The mark is a per-peer
   * generation, so marking costs one write, not one per file.
   */
  async markPeerFiles (peer: PeerId): Promise<number> {
    checkPeer(peer)
    const gen = (await this.batch.get(unrealGenTable, peer) ?? 0) + 1
    this.batch.put(unrealGenTable, peer, gen)
    this.gens.set(peer, gen)
    return gen
  }

  /**
   * One file of a catch-up listing: the peer's current version, applied
   * even if older than what we had (the listing is the peer's state); the
   * version it had before counts as the one it replaced. Clears its mark.
   */
  async catchup (peer: PeerId, path: string, version: Version, replaced?: readonly Hash[]): Promise<Outcome> {
    const p = parsePath(path)
    const v = checkVersion(version)
    checkPeer(peer)
    const gen = await this.genOf(peer)
    // Unchanged and not read ahead: one point read, one write.
    const dir = await this.tree.resolveDir(parentOf(p), false)
    if (typeof dir === 'number') {
      const entry = await this.tree.listings.get(dir, baseName(p))
      if (entry?.kind === 'file' && !this.tree.isLoaded(entry.inode)) {
        const mine = await this.batch.get(unrealFileTable, fileKey(entry.inode, peer))
        if (mine != null && sameVersion(mine.version, v)) {
          this.batch.put(unrealPeerTable, peerKey(peer, entry.inode), gen)
          return 'unchanged'
        }
      }
    }
    const file = await this.tree.fileFor(p, true)
    if (file == null) return 'ignored'
    const outcome = peerHas(file, peer, v, { authoritative: true, replaced })
    if (outcome === 'changed') await this.tree.save(file, [peer], gen)
    else if (outcome === 'unchanged') this.batch.put(unrealPeerTable, peerKey(peer, file.inode), gen)
    return outcome
  }

  /**
   * Reads ahead, concurrently, what catching up `files` from `peer` will
   * read (directory entries, the peer's entries, the states of files that
   * changed, dirty marks): a batch of a thousand files then waits for
   * LevelDB a few times, not thousands.
   */
  async prefetch (peer: PeerId, files: ReadonlyArray<{ path: RelPath, version: Version }>): Promise<void> {
    const dirtyRead = this.tree.prefetchDirty(files.map((f) => f.path))
    const wanted: Array<[number, string, RelPath, Version]> = []
    for (const { path, version } of files) {
      const dir = await this.tree.resolveDir(parentOf(path), false)
      if (typeof dir === 'number') wanted.push([dir, baseName(path), path, version])
    }
    await this.tree.listings.prefetch(wanted.map(([d, n]) => [d, n]))
    const existing: Array<{ inode: number, path: RelPath, dir: number, version: Version }> = []
    for (const [dir, name, path, version] of wanted) {
      const e = await this.tree.listings.get(dir, name)
      if (e?.kind === 'file') existing.push({ inode: e.inode, path, dir, version })
    }
    await this.batch.prefetch(unrealFileTable, existing.map((f) => fileKey(f.inode, peer)))
    const changed: typeof existing = []
    for (const f of existing) {
      const mine = await this.batch.get(unrealFileTable, fileKey(f.inode, peer))
      if (mine == null || !sameVersion(mine.version, f.version)) changed.push(f)
    }
    await Promise.all([dirtyRead, this.tree.loadAll(changed)])
  }

  /** Reads ahead the records and states of files `dropPeerFile` will drop. */
  async prefetchInodes (inodes: readonly number[]): Promise<void> {
    await this.batch.prefetch(unrealInodeTable, inodes)
    const files: Array<{ inode: number, path: RelPath, dir: number }> = []
    for (const inode of inodes) {
      const [path, rec] = [await this.tree.pathOf(inode), await this.batch.get(unrealInodeTable, inode)]
      if (path != null && rec?.kind === 'file') files.push({ inode, path, dir: rec.parent })
    }
    await Promise.all([this.tree.prefetchDirty(files.map((f) => f.path)), this.tree.loadAll(files)])
  }

  /** Drops `peer`'s entry of file `inode` whatever its version (deleteMarkedFiles). */
  async dropPeerFile (peer: PeerId, inode: number): Promise<Outcome> {
    const path = await this.tree.pathOf(inode)
    const record = await this.batch.get(unrealInodeTable, inode)
    if (path == null || record == null || record.kind !== 'file') {
      this.batch.delete(unrealPeerTable, peerKey(peer, inode))
      return 'ignored'
    }
    const file = await this.tree.load(inode, path, record.parent)
    const outcome = peerDropped(file, peer, undefined)
    if (outcome === 'changed') await this.tree.save(file, [peer], 0)
    else this.batch.delete(unrealPeerTable, peerKey(peer, inode))
    return outcome
  }

  /** Records that `blobId` caches the chosen version of `path`; false if `hash` is no longer chosen. */
  async setBlob (path: string, hash: Hash, blobId: number | undefined): Promise<boolean> {
    const file = await this.tree.fileFor(parsePath(path), false)
    if (file?.chosen == null || !hashEquals(file.chosen.version.hash, hash)) return false
    if (file.chosen.blobId === blobId) return true
    const chosen: Chosen = { ...file.chosen }
    if (blobId == null) delete chosen.blobId
    else chosen.blobId = blobId
    file.chosen = chosen
    await this.tree.save(file, [], 0)
    return true
  }

  /**
   * A version that came back (node/consensus/returned.ts): blob `blobId`,
   * which still holds its content, caches it again if `hash` is chosen and
   * has no blob of its own. True if it does now.
   */
  async restoreBlob (path: RelPath, hash: Hash, blobId: number): Promise<boolean> {
    const file = await this.tree.fileFor(path, false)
    if (file?.chosen == null || !hashEquals(file.chosen.version.hash, hash) || file.chosen.blobId != null) return false
    if (this.ctx.blobs?.reclaim == null || !await this.ctx.blobs.reclaim(this.batch, blobId, hash)) return false
    return await this.setBlob(path, hash, blobId)
  }

  /** The path of an inode, from the inode records; undefined if unknown. */
  async pathOf (inode: number): Promise<RelPath | undefined> {
    return await this.tree.pathOf(inode)
  }

  private async genOf (peer: PeerId): Promise<number> {
    let gen = this.gens.get(peer)
    if (gen == null) {
      gen = await this.batch.get(unrealGenTable, peer) ?? 0
      this.gens.set(peer, gen)
    }
    return gen
  }
}
