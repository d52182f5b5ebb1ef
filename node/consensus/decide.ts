import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'
import type { Mark } from '../../datastore/types/mark.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Version } from '../../datastore/types/version.js'

/**
 * What one dirty path needs (spec section 6), as a pure function of what
 * the store says about it. Churten calls it for each dirty path in counter
 * order and runs the job it returns.
 *
 * | mark       | condition                                              | job       |
 * |------------|--------------------------------------------------------|-----------|
 * | watch/keep | real file's hash = chosen remote hash, or a peer has   | unrealize |
 * |            |   it on a parallel chain                               |           |
 * | keep       | chosen version not cached complete and verified        | download  |
 * | own        | remote version known, no real file                     | realize   |
 * | any        | real version replaced by a peer (outdatedBy / chain)   | realize (replace) |
 * | any        | a peer removed the version the real file has           | delete    |
 * |            |   (even while other peers still list it)               |           |
 * | any        | real and remote diverge (not one chain)                | conflict  |
 *
 * Decisions where the spec is silent (docs/consensus.md): a version this
 * node deleted is not fetched again from peers that have not caught up
 * (tombstones); a real file that
 * a peer replaced is brought up to date whatever its mark (a `keep` or
 * `watch` copy is then unrealized by the next pass); a remote version that
 * our own local change already replaced (it is in the index's `previous`)
 * needs nothing: peers follow our Replace.
 */
export interface DecisionInput {
  path: RelPath
  mark: Mark
  real: IndexEntry | undefined
  remote: RemoteState | undefined
  /**
   * The arena has a root here. Without one nothing can be realized, so
   * `own` keeps a verified copy in the cache like `keep`. @default true
   */
  hasRoot?: boolean
  /**
   * Versions of the path this node deleted (tombstones): a remote version
   * among them is one our Remove superseded; peers that still list it have
   * not caught up, and it is not brought back.
   */
  deleted?: readonly Hash[]
}

export interface RemoteState {
  chosen: Version
  /** Hashes chosen before the current one. */
  chain: readonly Hash[]
  /** Connected-or-not peers that have the chosen version. */
  peersWithChosen: readonly string[]
  /** Every version some peer has (the chosen one and parallel chains). */
  held?: readonly Hash[]
  /** The chosen version's blob: how much of it is here. */
  blob: { complete: boolean, verified: boolean } | undefined
  /** Some peer is on a parallel chain. */
  conflict: boolean
}

export type Job =
  | { kind: 'download', path: RelPath, version: Version }
  | { kind: 'realize', path: RelPath, version: Version, replaces: Hash | undefined }
  | { kind: 'unrealize', path: RelPath, real: IndexEntry, keep: boolean }
  | { kind: 'delete', path: RelPath, real: IndexEntry }
  | { kind: 'conflict', path: RelPath, real: IndexEntry | undefined, remote: Version }

export function decide (input: DecisionInput): Job | undefined {
  const { path, real, remote } = input
  const mark = input.hasRoot === false && input.mark === 'own' ? 'keep' : input.mark
  if (real == null) {
    if (remote == null) return undefined
    if ((input.deleted ?? []).some((h) => hashEquals(h, remote.chosen.hash))) return undefined
    if (mark === 'own') return { kind: 'realize', path, version: remote.chosen, replaces: undefined }
    if (mark === 'keep' && !(remote.blob?.complete === true && remote.blob.verified)) return { kind: 'download', path, version: remote.chosen }
    return undefined
  }
  // A newer version made elsewhere beats ours, and beats a peer's removal of ours.
  const outdated = remote != null && !hashEquals(real.hash, remote.chosen.hash) &&
    (hashEquals(real.outdatedBy, remote.chosen.hash) || remote.chain.some((h) => hashEquals(h, real.hash)))
  if (outdated) return { kind: 'realize', path, version: remote.chosen, replaces: real.hash }
  // A peer removed the version we have: follow it, even while peers that
  // have not seen the removal yet still list it (they follow it too), and
  // whatever the mark: a `keep` or `watch` real copy (one written here, not
  // yet unrealized) of a deleted version is deleted like an `own` one.
  if (real.removedByPeer === true) return { kind: 'delete', path, real }
  if (remote == null) return undefined
  if (hashEquals(real.hash, remote.chosen.hash)) {
    if (mark === 'own') return undefined
    return { kind: 'unrealize', path, real, keep: mark === 'keep' }
  }
  const ahead = (real.previous ?? []).some((h) => hashEquals(h, remote.chosen.hash))
  if (ahead) return undefined
  // On a conflict path too, a keep or watch copy that a peer has as well
  // (same version, a parallel chain) goes to the cache (spec section 1):
  // the peer still serves it, and the conflict stays recorded from the
  // peers' versions (seed 1031).
  if (mark !== 'own' && (remote.held ?? []).some((h) => hashEquals(h, real.hash))) return { kind: 'unrealize', path, real, keep: mark === 'keep' }
  return { kind: 'conflict', path, real, remote: remote.chosen }
}

/**
 * Whether two decisions are the same work: a path marked dirty again while
 * its job runs keeps the job when deciding again gives the same one (the
 * job's own bookkeeping, a peer confirming the version), and cancels it
 * otherwise (spec section 6).
 */
export function sameJob (a: Job, b: Job): boolean {
  if (a.kind !== b.kind || a.path !== b.path) return false
  switch (a.kind) {
    case 'download':
      return hashEquals(a.version.hash, (b as typeof a).version.hash)
    case 'realize':
      return hashEquals(a.version.hash, (b as typeof a).version.hash) && hashEquals(a.replaces, (b as typeof a).replaces)
    case 'unrealize':
    case 'delete':
      return hashEquals(a.real.hash, (b as typeof a).real.hash)
    case 'conflict':
      return hashEquals(a.remote.hash, (b as typeof a).remote.hash)
  }
}
