import { EventEmitter } from 'node:events'
import { hashEquals } from '../../datastore/types/hash.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Batch } from '../../datastore/store.js'
import { PREVIOUS_KEPT, type IndexEntry } from '../../datastore/tables/index-table.js'
import { tombstonesTable } from '../../datastore/tables/tombstones.js'
import type { Hash } from '../../datastore/types/hash.js'
import type { HistoryEntry, HistoryNotification } from '../../datastore/types/history.js'
import type { Mark } from '../../datastore/types/mark.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Version } from '../../datastore/types/version.js'

/** A file as the watcher found it: its version, or undefined when it is gone. */
export interface FileChange {
  path: RelPath
  version: Version | undefined
  /** A removal that is an unrealize: published as Drop, not Remove (spec section 1). */
  drop?: boolean
  /**
   * A removal made by the node: the content moved into this blob (an
   * unrealize, or a delete following a peer's Remove). The path's mark
   * stays in the table, and a tombstone remembers the blob.
   */
  cachedIn?: number
  /**
   * With `cachedIn`: the mark xattr the file carried as it left the root
   * (null: none). A mark is the user's latest word on the path's mark,
   * newer than the table's mirror when the watcher had not seen it yet.
   */
  carriedMark?: Mark | null
  /**
   * An addition that is a realize of a peer's version (churten's install):
   * if a peer's Remove of that version arrived while the job ran (the
   * path's tombstone names it, consensus/peer-effects.ts), the entry
   * records `removedByPeer`, so the next pass follows the deletion.
   */
  realized?: boolean
}

/** A mark as the watcher found it in the xattr (`local`), or set on a remote-only path; undefined when removed. */
export interface MarkChange {
  path: RelPath
  mark: Mark | undefined
  local?: boolean
}

export interface RealIndexEvents {
  /** History entries appended by one committed batch, in order. */
  history: [HistoryEntry[]]
  /** Mark changes committed by one batch. */
  marks: [MarkChange[]]
  /** A path whose watcher observation was set aside while the node placed a file there (see placing()): look again. */
  recheck: [RelPath]
}

/**
 * The index of the real (spec section 3): turns what the watcher saw into
 * index entries, history entries and dirty paths, all in one batch, and
 * announces the new history after the commit. It never reads the disk.
 */
export class RealIndex extends EventEmitter<RealIndexEvents> {
  /** Paths whose file the node is moving out of the root now, with how many moves (see leaving()). */
  private readonly moving = new Map<RelPath, number>()
  /** Paths where the node is placing a file now (see placing()), and whether an observation was set aside. */
  private readonly placed = new Map<RelPath, { n: number, setAside: boolean }>()

  constructor (private readonly store: ArenaStore) {
    super()
  }

  /**
   * The node is placing a file at `path` (a realize) and records it itself,
   * with `realized`. Until the returned function is called, what the
   * watcher reports for the path is set aside: it may have looked before
   * the record, and a user's delete or edit right after the placing, taken
   * in first, was then overwritten by the record (the index listed a file
   * the root no longer had, model-check seed 1407; an edit would have been
   * published as replaced by the older version). When the record is in,
   * `recheck` asks the watcher to look again if it reported anything, or
   * if the caller says the file changed since it was placed (a watcher
   * that found neither file nor entry reports nothing).
   */
  placing (path: RelPath): (changedSince: boolean) => void {
    const p = this.placed.get(path) ?? { n: 0, setAside: false }
    p.n++
    this.placed.set(path, p)
    let done = false
    return (changedSince) => {
      if (done) return
      done = true
      if (changedSince) p.setAside = true
      if (--p.n > 0) return
      this.placed.delete(path)
      if (p.setAside) this.emit('recheck', path)
    }
  }

  /**
   * The node is about to move `path`'s file out of the root (unrealize, a
   * delete following a peer) and records that itself, with `cachedIn`.
   * Until the returned function is called, a removal of the path that the
   * watcher reports is that move, not the user's deletion, and changes
   * nothing. Without this a reconcile between the move and its record
   * published a Remove, and every peer deleted the file (model-check seed
   * 1401; docs/reliability.md, class 14).
   */
  leaving (path: RelPath): () => void {
    this.moving.set(path, (this.moving.get(path) ?? 0) + 1)
    let done = false
    return () => {
      if (done) return
      done = true
      const n = (this.moving.get(path) ?? 1) - 1
      if (n > 0) this.moving.set(path, n)
      else this.moving.delete(path)
    }
  }

  async get (path: RelPath): Promise<IndexEntry | undefined> {
    return await this.store.index.get(path)
  }

  async apply (files: readonly FileChange[], marks: readonly MarkChange[] = []): Promise<HistoryEntry[]> {
    if (files.length === 0 && marks.length === 0) return []
    const { index, history, dirty } = this.store
    // The marks that really changed: the watcher's mirror of an xattr the
    // node just wrote itself (a mark set by the CLI or the TUI) changes
    // nothing, and announcing it again made clients log one change twice.
    let changedMarks: MarkChange[] = []
    // Point reads only, so concurrent changes (many small files realized at once) share a commit.
    const appended = await this.store.store.writeGrouped(async (batch) => {
      const out: HistoryEntry[] = []
      changedMarks = []
      const paths = [...files, ...marks].map((c) => c.path)
      await Promise.all([index.prefetch(batch, paths), dirty.prefetch(batch, paths), this.store.marks.prefetch(batch, marks.map((m) => m.path)), batch.prefetch(tombstonesTable, files.map((f) => f.path))])
      for (const { path, version, drop, cachedIn, carriedMark, realized } of files) {
        if (version == null && cachedIn == null && drop !== true && this.moving.has(path)) continue
        const placing = realized !== true && cachedIn == null ? this.placed.get(path) : undefined
        if (placing != null) {
          placing.setAside = true
          continue
        }
        const old = await index.getIn(batch, path)
        const notification = diff(path, old, version, drop === true)
        if (version == null) {
          if (old != null) {
            index.delete(batch, path)
            // A deletion (not an unrealize) leaves a tombstone, so a peer
            // still listing that version does not bring it back.
            if (drop !== true) this.store.tombstones.put(batch, path, [old.hash, ...(old.previous ?? [])].slice(0, PREVIOUS_KEPT), Date.now(), cachedIn)
          }
          if (cachedIn != null) {
            const change = await keepMark(this.store, batch, path, carriedMark)
            if (change != null) {
              await dirty.mark(batch, path)
              changedMarks.push(change)
            }
          }
        } else if (old == null || old.size !== version.size || old.mtime !== version.mtime || !hashEquals(old.hash, version.hash)) {
          // A local change supersedes what peers said of the old version (spec section 6).
          const buried = old == null ? await this.store.tombstones.getIn(batch, path) : undefined
          if (buried != null) this.store.tombstones.delete(batch, path)
          const removed = realized === true && (buried ?? await this.store.tombstones.getIn(batch, path) ?? []).some((h) => hashEquals(h, version.hash))
          index.put(batch, path, { hash: version.hash, size: version.size, mtime: version.mtime, previous: previousOf(old, version, buried), ...(removed ? { removedByPeer: true } : {}) })
        }
        if (notification == null) continue
        out.push({ n: history.append(batch, notification), notification })
        await dirty.mark(batch, path)
      }
      for (const change of marks) {
        const { path, mark, local = true } = change
        const old = await this.store.marks.getIn(batch, path)
        if (old?.mark === mark && old?.local === local) continue
        // The watcher removes only marks it mirrored from an xattr; one the
        // node moved into the table meanwhile (keepMark) is not its to remove.
        if (mark == null && local && old?.local === false) continue
        if (mark == null) this.store.marks.delete(batch, path)
        else this.store.marks.put(batch, path, { mark, local })
        if (old?.mark !== mark) {
          await dirty.mark(batch, path)
          changedMarks.push(change)
        }
      }
      return out
    })
    if (appended.length > 0) this.emit('history', appended)
    if (changedMarks.length > 0) this.emit('marks', changedMarks)
    return appended
  }

  /**
   * The user deleted a file this node has only as peers' versions (`rm`
   * through the mount, issue 12): published as a Remove of each of those
   * versions, with a tombstone, exactly what deleting the real file here
   * would have published, so every peer follows and none brings it back.
   * Returns undefined, changing nothing, when the path has a real file
   * meanwhile: that one is deleted in the root, and the watcher says so.
   */
  async removeRemote (path: RelPath, hashes: readonly Hash[]): Promise<HistoryEntry[] | undefined> {
    if (hashes.length === 0) return []
    const { index, history, dirty } = this.store
    const appended = await this.store.store.writeGrouped(async (batch) => {
      if (await index.getIn(batch, path) != null) return undefined
      const t = await this.store.tombstones.entryIn(batch, path)
      const fresh = hashes.filter((h) => t?.hashes.some((d) => hashEquals(d, h)) !== true)
      // Appended, as a peer's Remove is (peer-effects.ts): the first hash stays the one a blobId holds.
      this.store.tombstones.put(batch, path, [...(t?.hashes ?? []), ...fresh], Date.now(), t?.blobId)
      const out = hashes.map((oldHash) => {
        const notification: HistoryNotification = { kind: 'remove', path, oldHash }
        return { n: history.append(batch, notification), notification }
      })
      await dirty.mark(batch, path)
      return out
    })
    if (appended != null) this.emit('history', appended)
    return appended
  }
}

/**
 * The node moved a file out of the root (unrealize, delete): its xattr left
 * with it, but its mark belongs to the path (issue 11), so a mirrored mark
 * becomes a table mark, in the same batch as the index change. Without it
 * the watcher would remove the mark with the file, and the path would fall
 * back to its directory's mark: `keep` on a file in an `own` directory
 * unrealized it, then realized it again, forever.
 */
async function keepMark (store: ArenaStore, batch: Batch, path: RelPath, carried: Mark | null | undefined): Promise<MarkChange | undefined> {
  const m = await store.marks.getIn(batch, path)
  // No mark carried: the table's stays. (A user who removed the xattr as the
  // file left sees the mark still set, and removes it again; the other way,
  // a file system without xattrs would lose its marks.)
  if (carried == null) {
    if (m?.local === true) store.marks.put(batch, path, { mark: m.mark, local: false })
    return undefined
  }
  // The file carried a mark the table did not mirror yet: the file's word wins.
  store.marks.put(batch, path, { mark: carried, local: false })
  return m?.mark === carried ? undefined : { path, mark: carried, local: false }
}

/** The earlier local hashes of a path after it changes from `old` to `v`. */
function previousOf (old: IndexEntry | undefined, v: Version, buried: Hash[] | undefined): Hash[] {
  if (old == null) return (buried ?? []).filter((h) => !hashEquals(h, v.hash)).slice(0, PREVIOUS_KEPT)
  if (hashEquals(old.hash, v.hash)) return old.previous ?? []
  return [old.hash, ...(old.previous ?? [])].slice(0, PREVIOUS_KEPT)
}

/**
 * The history entry a change deserves. Only content changes are published:
 * a touched file (same hash, new mtime) updates the index silently.
 */
function diff (path: RelPath, old: IndexEntry | undefined, v: Version | undefined, drop: boolean): HistoryNotification | undefined {
  if (v == null) return old == null ? undefined : { kind: drop ? 'drop' : 'remove', path, oldHash: old.hash }
  if (old == null) return { kind: 'add', path, size: v.size, mtime: v.mtime, hash: v.hash }
  if (hashEquals(old.hash, v.hash)) return undefined
  return { kind: 'replace', path, size: v.size, mtime: v.mtime, hash: v.hash, oldHash: old.hash }
}
