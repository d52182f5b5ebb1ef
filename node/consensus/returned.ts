import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { UnrealTx } from '../unreal/tree-tx.js'
import type { RelPath } from '../../datastore/types/path.js'

/**
 * A version this node deleted comes back (issue 11, path 2): a peer newly
 * has it — a live Add or Replace to it, or a catch-up listing it where the
 * tree did not have it for that peer. Tombstones exist for peers that still
 * list a deleted version because they have not seen our Remove; a peer
 * that *newly* has it removed it and brought it back (a root moved back, a
 * backup restored with `cp -p`), or fetched it from one that did. It is
 * wanted again like any other version: its hash leaves the tombstone, in
 * the same batch as the link, and the path is dirty. If the node moved the
 * deleted content into its cache (a delete following a peer's Remove,
 * pending removal), that blob caches the version again, so a realize
 * needs no download and no cache space stays hidden.
 *
 * A peer that newly has a deleted version only because it realized it
 * before it saw our Remove brings it back here too; it then follows our
 * Remove, and this node follows its (docs/consensus.md).
 */
export async function noteReturned (tx: UnrealTx, store: ArenaStore, path: RelPath, hash: Hash): Promise<boolean> {
  const t = await store.tombstones.entryIn(tx.batch, path)
  if (t == null || !t.hashes.some((h) => hashEquals(h, hash))) return false
  const rest = t.hashes.filter((h) => !hashEquals(h, hash))
  // The blob holds the last deleted version (hashes[0]).
  const blobHeld = t.blobId != null && hashEquals(t.hashes[0], hash)
  if (rest.length === 0) store.tombstones.delete(tx.batch, path)
  else store.tombstones.put(tx.batch, path, rest, t.deletedAt, blobHeld ? undefined : t.blobId)
  if (blobHeld) await tx.restoreBlob(path, hash, t.blobId as number)
  await store.dirty.mark(tx.batch, path)
  return true
}
