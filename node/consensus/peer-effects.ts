import { hashEquals } from '../../datastore/types/hash.js'
import { tombstonesTable } from '../../datastore/tables/tombstones.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Batch } from '../../datastore/store.js'
import type { HistoryNotification } from '../../datastore/types/history.js'

/**
 * Peer history also touches the real (spec section 6): a peer's Replace
 * whose oldHash is the real file's hash records `outdatedBy`, a Remove of
 * that hash records `removedByPeer`; both mark the path dirty. Called by the
 * history subscriber inside the same batch that applies the entry to the
 * unreal tree. A local change to the file clears both (RealIndex.apply).
 *
 * A live Remove of a version the real does not have (not realized here
 * yet, or a realize of it still running) leaves a tombstone for that hash
 * instead, as if this node had deleted it (docs/consensus.md): the deletion
 * supersedes the version for the whole household, so it is not realized
 * from a peer that still lists it, a running realize of it is cancelled,
 * and one that commits anyway is marked removed (RealIndex.apply,
 * `realized`). `tombstone: false` for removals learnt from a catch-up
 * listing (the peer's own tombstones), so tombstones do not bounce between
 * peers and outlive their expiry.
 */
export async function recordPeerEffect (batch: Batch, store: ArenaStore, n: HistoryNotification, options: { tombstone?: boolean } = {}): Promise<boolean> {
  if (n.kind !== 'replace' && n.kind !== 'remove') return false
  const real = await store.index.getIn(batch, n.path)
  // The real version was replaced by a peer and that replacement was then
  // deleted before this node caught up (model check seed 1011): the
  // deletion supersedes the whole chain, so the real file follows it. A
  // newer version of the chain still wins (decide: outdated comes first).
  if (n.kind === 'remove' && real != null && real.removedByPeer !== true && hashEquals(real.outdatedBy, n.oldHash)) {
    store.index.put(batch, n.path, { ...real, removedByPeer: true })
    await store.dirty.mark(batch, n.path)
  }
  if (real == null || !hashEquals(real.hash, n.oldHash)) {
    if (n.kind !== 'remove' || options.tombstone === false) return false
    const t = await batch.get(tombstonesTable, n.path)
    if (t?.hashes.some((h) => hashEquals(h, n.oldHash)) === true) return false
    // Appended: the first hash stays the one this node's own deletion left.
    batch.put(tombstonesTable, n.path, t == null ? { hashes: [n.oldHash], deletedAt: Date.now() } : { ...t, hashes: [...t.hashes, n.oldHash], deletedAt: Date.now() })
    await store.dirty.mark(batch, n.path)
    return true
  }
  if (n.kind === 'replace') {
    if (hashEquals(real.outdatedBy, n.hash)) return false
    store.index.put(batch, n.path, { ...real, outdatedBy: n.hash })
  } else {
    if (real.removedByPeer === true) return false
    store.index.put(batch, n.path, { ...real, removedByPeer: true })
  }
  await store.dirty.mark(batch, n.path)
  return true
}
