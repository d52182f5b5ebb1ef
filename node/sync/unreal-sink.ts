import { applyIn, type UnrealTree } from '../unreal/unreal-tree.js'
import { recordPeerEffect } from '../consensus/peer-effects.js'
import { noteReturned } from '../consensus/returned.js'
import { hashEquals, hashToHex } from '../../datastore/types/hash.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { HistorySink, ListedFile, ListedRemoval } from '../../protocols/history/index.js'
import type { HistoryEntry } from '../../datastore/types/history.js'
import type { Logger } from '../log.js'

/**
 * Stores one peer's history subscription in the arena (spec section 3):
 *
 *   Start{catchup}   -> markPeerFiles(peer)
 *   Files...         -> catchupMany(peer, files); a deleted version newly listed is wanted again
 *   Removed...       -> a Remove's effect on the real, per tombstone hash
 *   Complete{n}      -> deleteMarkedFiles(peer), progress {storeId, n}
 *   Entries          -> link/unlink + effects on the real + returned versions + progress, one batch
 *
 * Progress is written only with what it describes, so a crash at any point
 * resumes from a state that was fully stored (an interrupted catch-up is
 * simply redone).
 */
export class UnrealHistorySink implements HistorySink {
  constructor (
    private readonly tree: UnrealTree,
    private readonly store: ArenaStore,
    private readonly peerId: string,
    private readonly log: Logger
  ) {}

  async started (info: { storeId: Uint8Array, catchup: boolean, lastN: number }): Promise<void> {
    if (!info.catchup) return
    const old = await this.store.peerProgress.get(this.peerId)
    if (old != null && !hashEquals(old.storeId, info.storeId)) {
      this.log.info({ peerId: this.peerId, oldStoreId: hashToHex(old.storeId), storeId: hashToHex(info.storeId), event: 'history-store-reset' }, 'peer store was reset: full catch-up')
    }
    await this.tree.markPeerFiles(this.peerId)
  }

  async catchupFiles (files: ListedFile[]): Promise<void> {
    let returned = 0
    await this.tree.catchupMany(this.peerId, files, { changed: async (tx, path, v) => { if (await noteReturned(tx, this.store, path, v.hash)) returned++ } })
    this.logReturned(returned)
  }

  /**
   * The peer deleted these paths, and its history of it may be trimmed
   * away: a real file still at one of the deleted versions is treated as a
   * live Remove would be (removedByPeer, dirty), so a returning peer follows
   * the deletion instead of bringing the file back. The unreal side needs
   * nothing: the listing did not name these files, so deleteMarkedFiles
   * drops the peer from them.
   */
  async catchupRemoved (removed: ListedRemoval[]): Promise<void> {
    let followed = 0
    await this.tree.write(async (tx) => {
      await this.store.index.prefetch(tx.batch, removed.map((r) => r.path))
      for (const r of removed) {
        for (const oldHash of r.hashes) {
          if (await recordPeerEffect(tx.batch, this.store, { kind: 'remove', path: r.path, oldHash }, { tombstone: false })) {
            followed++
            tx.noteDirty(r.path)
            break
          }
        }
      }
    })
    if (followed > 0) this.log.info({ peerId: this.peerId, followed, event: 'history-catchup-removals' }, 'deletions learnt from a catch-up listing')
  }

  /** Versions this node deleted that are back on the peer: wanted again (node/consensus/returned.ts). */
  private logReturned (count: number): void {
    if (count > 0) this.log.info({ peerId: this.peerId, count, event: 'deleted-versions-returned' }, 'versions deleted here are back on a peer: wanted again')
  }

  async catchupComplete (storeId: Uint8Array, n: number): Promise<void> {
    const dropped = await this.tree.deleteMarkedFiles(this.peerId)
    await this.store.store.write((b) => { this.store.peerProgress.put(b, this.peerId, { storeId, lastSeen: n, lastActive: Date.now() }) })
    this.log.info({ peerId: this.peerId, n, dropped, event: 'history-caught-up' }, 'history catch-up complete')
  }

  async entries (storeId: Uint8Array, entries: HistoryEntry[]): Promise<void> {
    const last = entries[entries.length - 1]
    if (last == null) return
    let returned = 0
    await this.tree.write(async (tx) => {
      for (const e of entries) {
        const n = e.notification
        await applyIn(tx, this.peerId, n)
        // A Remove of a version this peer never listed changes nothing in the tree but may dirty the real.
        if (await recordPeerEffect(tx.batch, this.store, n)) tx.noteDirty(n.path)
        if ((n.kind === 'add' || n.kind === 'replace') && await noteReturned(tx, this.store, n.path, n.hash)) {
          returned++
          tx.noteDirty(n.path)
        }
      }
      this.store.peerProgress.put(tx.batch, this.peerId, { storeId, lastSeen: last.n, lastActive: Date.now() })
    })
    this.logReturned(returned)
    this.log.debug({ peerId: this.peerId, count: entries.length, n: last.n, event: 'history-entries' }, 'history entries stored')
  }
}
