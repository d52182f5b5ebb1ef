import { applyIn, type UnrealTree } from '../unreal/unreal-tree.js'
import { recordPeerEffect } from '../consensus/peer-effects.js'
import { hashEquals, hashToHex } from '../types/hash.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { HistorySink, ListedFile } from '../../protocols/history/index.js'
import type { HistoryEntry } from '../types/history.js'
import type { Logger } from '../log.js'

/**
 * Stores one peer's history subscription in the arena (spec section 3):
 *
 *   Start{catchup}   -> markPeerFiles(peer)
 *   Files...         -> catchupMany(peer, files)
 *   Complete{n}      -> deleteMarkedFiles(peer), progress {storeId, n}
 *   Entries          -> link/unlink + effects on the real + progress, one batch
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
    await this.tree.catchupMany(this.peerId, files)
  }

  async catchupComplete (storeId: Uint8Array, n: number): Promise<void> {
    const dropped = await this.tree.deleteMarkedFiles(this.peerId)
    await this.store.store.write((b) => { this.store.peerProgress.put(b, this.peerId, { storeId, lastSeen: n, lastActive: Date.now() }) })
    this.log.info({ peerId: this.peerId, n, dropped, event: 'history-caught-up' }, 'history catch-up complete')
  }

  async entries (storeId: Uint8Array, entries: HistoryEntry[]): Promise<void> {
    const last = entries[entries.length - 1]
    if (last == null) return
    await this.tree.write(async (tx) => {
      for (const e of entries) {
        await applyIn(tx, this.peerId, e.notification)
        await recordPeerEffect(tx.batch, this.store, e.notification)
      }
      this.store.peerProgress.put(tx.batch, this.peerId, { storeId, lastSeen: last.n, lastActive: Date.now() })
    })
    this.log.debug({ peerId: this.peerId, count: entries.length, n: last.n, event: 'history-entries' }, 'history entries stored')
  }
}
