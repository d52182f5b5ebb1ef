import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import { sameVersion, type Version } from '../../datastore/types/version.js'
import type { Outcome, PeerId } from './types.js'

/**
 * Choosing the served version of a remote file (spec section 3), as pure
 * functions over one file's state; the tree loads the state, applies a rule
 * and writes what changed.
 *
 * - The first version seen becomes chosen; the versions it replaced (a
 *   Replace's oldHash, a catch-up listing's `previous`) are its chain.
 * - A peer's new version whose predecessor (the Replace's `oldHash`, or the
 *   version that peer had before) is the chosen hash moves the choice to it,
 *   whoever reports it.
 * - When no peer has the chosen version any more, the version with the
 *   highest mtime becomes chosen (ties: the larger hash, so every node picks
 *   the same), among the versions that are not earlier choices: a peer still
 *   on an older version of the chain lags behind a removal it has not seen
 *   yet, and serving its copy would bring deleted content back (seed 1011,
 *   three nodes). With nothing else left the file is no longer served.
 * - Anything else is recorded for its peer and the choice stays. A version
 *   that is neither chosen nor in the chain of earlier choices is a parallel
 *   chain: a conflict. A version in the chain is a peer lagging behind, not
 *   a conflict.
 */

/** Earlier chosen hashes kept per file: enough to recognise lagging peers. */
export const MAX_CHAIN = 32

export interface Chosen {
  version: Version
  blobId?: number
  basisBlobId?: number
  /** Hashes chosen before, oldest first, at most MAX_CHAIN. */
  chain: Hash[]
}

export interface FileVersions {
  chosen: Chosen | undefined
  peers: Map<PeerId, Version>
}

export interface PeerHasOptions {
  /** The version this one replaced (a Replace's oldHash). */
  oldHash?: Hash
  /**
   * The peer's own listing (catch-up): it states the peer's current
   * version, so it applies even when its mtime is older than what we had.
   */
  authoritative?: boolean
  /**
   * The hashes the version replaced, newest first, as a catch-up listing
   * states them (the peer's index): a node that never saw the Replaces
   * (a first catch-up after the edit) still sees one chain, not a conflict.
   */
  replaced?: readonly Hash[]
}

/** `peer` now has `version` (link or catch-up). */
export function peerHas (state: FileVersions, peer: PeerId, version: Version, options: PeerHasOptions = {}): Outcome {
  const prev = state.peers.get(peer)
  if (prev != null) {
    if (sameVersion(prev, version)) return 'unchanged'
    // Notifications can arrive out of order with a catch-up: an older one is stale.
    if (options.authoritative !== true && version.mtime < prev.mtime) return 'ignored'
  }
  state.peers.set(peer, version)
  const predecessors = options.oldHash != null ? [options.oldHash] : [...(prev == null ? [] : [prev.hash]), ...(options.replaced ?? [])]
  const chosen = state.chosen
  if (chosen == null) {
    // The first version seen: what it replaced is its chain (those versions, on a peer or real here, lag behind it).
    const ancestry = (options.oldHash != null ? [options.oldHash] : options.replaced ?? []).filter((h) => !hashEquals(h, version.hash))
    state.chosen = { version, chain: ancestry.slice(0, MAX_CHAIN).reverse() }
  } else if (!hashEquals(chosen.version.hash, version.hash) && predecessors.some((h) => hashEquals(h, chosen.version.hash))) {
    choose(state, version)
  }
  settle(state)
  return 'changed'
}

/** `peer` no longer has the file; ignored unless it had `oldHash` (any version when undefined). */
export function peerDropped (state: FileVersions, peer: PeerId, oldHash: Hash | undefined): Outcome {
  const prev = state.peers.get(peer)
  if (prev == null) return 'ignored'
  if (oldHash != null && !hashEquals(prev.hash, oldHash)) return 'ignored'
  state.peers.delete(peer)
  settle(state)
  return 'changed'
}

/** Peers whose version is neither chosen nor an earlier choice: parallel chains. */
export function parallelPeers (state: FileVersions): PeerId[] {
  const chosen = state.chosen
  if (chosen == null) return []
  const out: PeerId[] = []
  for (const [peer, v] of state.peers) {
    if (hashEquals(v.hash, chosen.version.hash)) continue
    if (chosen.chain.some((h) => hashEquals(h, v.hash))) continue
    out.push(peer)
  }
  return out
}

/** When nobody has the chosen version any more, serve the newest one left off the chain (or none). */
function settle (state: FileVersions): void {
  const chosen = state.chosen
  if (chosen == null) return
  for (const v of state.peers.values()) if (hashEquals(v.hash, chosen.version.hash)) return
  let best: Version | undefined
  for (const v of state.peers.values()) {
    if (chosen.chain.some((h) => hashEquals(h, v.hash))) continue
    if (best == null || v.mtime > best.mtime || (v.mtime === best.mtime && Buffer.compare(v.hash, best.hash) > 0)) best = v
  }
  if (best == null) state.chosen = undefined
  else choose(state, best, { successor: false })
}

/**
 * `successor: false` for the fallback of settle(): the new version is on
 * another chain, not a replacement of the old one, so the old chain is not
 * its history. Kept as its history, a real copy of the old version would
 * look outdated and be replaced by the other side of a conflict (seed 1031:
 * concurrent creations, the version held real by one node was overwritten
 * with the other and no conflict recorded).
 */
function choose (state: FileVersions, version: Version, o: { successor: boolean } = { successor: true }): void {
  const old = state.chosen
  if (old == null) {
    state.chosen = { version, chain: [] }
    return
  }
  const chain = o.successor ? old.chain.filter((h) => !hashEquals(h, old.version.hash) && !hashEquals(h, version.hash)) : []
  if (o.successor) chain.push(old.version.hash)
  const next: Chosen = { version, chain: chain.slice(-MAX_CHAIN) }
  // The old version's blob is the best local basis for a delta download {#delta}.
  const basis = old.blobId ?? old.basisBlobId
  if (basis != null) next.basisBlobId = basis
  state.chosen = next
}
