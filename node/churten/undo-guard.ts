import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import type { Job } from '../consensus/decide.js'
import type { RelPath } from '../../datastore/types/path.js'

/** Paths remembered; the oldest is forgotten beyond this (a guard, not a record). */
const REMEMBERED = 10_000

interface Move {
  /** in: realized into the root; out: unrealized into the cache. */
  way: 'in' | 'out'
  hash: Hash
  /** A realize that replaced an older real version (not a move of the same content). */
  replace: boolean
  /** The arena's mark generation the job was decided under (a mark change while it ran counts as after it). */
  marks: number
}

/**
 * No job undoes the previous job for the same version (issue 11): a
 * realize of hash H right after an unrealize of H at the same path, or an
 * unrealize of H right after a realize of H, is refused unless a mark of
 * the arena changed in between (the user asked for it). Consensus is built
 * so this never happens — decide() is a pure function of marks and state,
 * and each executor leaves a state where it says "nothing" (an unrealized
 * file keeps its mark in the table, blobs carry no mark xattr, a realized
 * file carries its path's mark) — so a refusal means a bug, and it is
 * logged (`job-undo-refused`) instead of looping several times a second.
 *
 * Allowed: a realize that replaces a stale real copy of a `keep` or
 * `watch` file, then its unrealize (docs/consensus.md); a delete, then a
 * realize of the same version when a peer brings it back (path 2). In
 * memory only: a restart forgets, which costs at most one more move.
 */
export class UndoGuard {
  private readonly last = new Map<RelPath, Move>()

  /** Whether `job` may run now, `marks` being the arena's current mark generation. */
  allows (job: Job, marks: number): boolean {
    const prev = this.last.get(job.path)
    if (prev == null || prev.marks !== marks) return true
    if (job.kind === 'realize') return !(job.replaces == null && prev.way === 'out' && hashEquals(prev.hash, job.version.hash))
    if (job.kind === 'unrealize') return !(prev.way === 'in' && !prev.replace && hashEquals(prev.hash, job.real.hash))
    return true
  }

  /** `job` finished (done); `marks` is the generation it was decided under. */
  done (job: Job, marks: number): void {
    let move: Move | undefined
    if (job.kind === 'realize') move = { way: 'in', hash: job.version.hash, replace: job.replaces != null, marks }
    else if (job.kind === 'unrealize') move = { way: 'out', hash: job.real.hash, replace: false, marks }
    this.last.delete(job.path)
    if (move == null) return
    this.last.set(job.path, move)
    if (this.last.size > REMEMBERED) this.last.delete(this.last.keys().next().value as RelPath)
  }
}
