import type { FetchRun } from '../fetch/source.js'
import type { Job } from '../consensus/decide.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { ArenaName } from '../../datastore/types/arena.js'
import type { RelPath } from '../../datastore/types/path.js'

export type JobKind = Job['kind']
export type ChurtenAction = 'download' | 'verify' | 'repair' | 'realize' | 'unrealize' | 'delete'
export type JobResult = 'done' | 'failed' | 'abandoned' | 'cancelled'

/** What a finished job moved, for logs, benchmarks and tests. */
export interface JobStats {
  /** Bytes received from peers (blob chunks, rsync literals). */
  fetched: number
  /** Bytes the blob held already when the job started (a resumed download). */
  resumed: number
  /** Bytes rebuilt from a local earlier version {#delta}. */
  fromBasis: number
  method: 'cached' | 'plain' | 'delta'
}

/** The notification stream of churten (spec section 6). */
export type ChurtenNotification =
  | { type: 'running', running: boolean }
  | { type: 'pending', id: number, arena: ArenaName, path: RelPath, job: JobKind, bytes: number }
  | { type: 'started', id: number, arena: ArenaName, path: RelPath, job: JobKind, attempt: number }
  | { type: 'action', id: number, action: ChurtenAction }
  | { type: 'progress', id: number, bytes: number, total: number }
  | {
    type: 'ended'
    id: number
    arena: ArenaName
    path: RelPath
    job: JobKind
    result: JobResult
    /** The error chain, for failed, abandoned and cancelled jobs. */
    error?: string
    /** The error's code (NO_PEER, HASH_MISMATCH, ...). */
    code?: string
    /** Failed: when it is tried again (ms since epoch). */
    retryAt?: number
    stats?: JobStats
  }

/** What a running job may report and must honour: a fetch's run (its attempts persisted), with every churten action. */
export interface JobRun extends Omit<FetchRun, 'action'> {
  action: (action: ChurtenAction) => void
}

/**
 * One arena as churten sees it: decide what a path needs, run it, and say
 * when paths become dirty. Implemented over the arena's stores and the
 * executors in node/churten/executors/.
 */
export interface ArenaWorker {
  readonly name: ArenaName
  readonly store: ArenaStore
  decide: (path: RelPath, signal: AbortSignal) => Promise<Job | undefined>
  /**
   * Runs one job. Throws AbandonedError when it cannot be done until
   * something changes (NoPeerError: until a peer connects).
   */
  run: (job: Job, run: JobRun) => Promise<JobStats | undefined>
  /** Calls `listener` with paths newly marked dirty; returns the unsubscribe. */
  onDirty: (listener: (paths: readonly RelPath[]) => void) => () => void
  /** The arena is paused (its root is missing, unreadable, emptied: spec section 4): no job may run. */
  isPaused: () => boolean
  /** Calls `listener` when the arena pauses or resumes; returns the unsubscribe. */
  onPauseChange: (listener: (paused: boolean) => void) => () => void
}
