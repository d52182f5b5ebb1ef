import { hashEquals } from '../../datastore/types/hash.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Batch } from '../../datastore/store.js'
import type { HistoryNotification } from '../../datastore/types/history.js'

/**
 * Peer history also touches the real (spec section 6): a peer's Replace
 * whose oldHash is the real file's hash records `outdatedBy`, a Remove of
 * that hash records `removedByPeer`; both mark the path dirty. Called by the
 * history subscriber inside the same batch that applies the entry to the
 * unreal tree. A local change to the file clears both (RealIndex.apply).
 */
export async function recordPeerEffect (batch: Batch, store: ArenaStore, n: HistoryNotification): Promise<boolean> {
  if (n.kind !== 'replace' && n.kind !== 'remove') return false
  const real = await store.index.getIn(batch, n.path)
  if (real == null || !hashEquals(real.hash, n.oldHash)) return false
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
