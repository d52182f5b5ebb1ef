import type { Job } from '../consensus/decide.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { ArenaName } from '../types/arena.js'
import type { RelPath } from '../types/path.js'

export type JobKind = Job['kind']
export type ChurtenAction = 'download' | 'verify' | 'repair' | 'realize' | 'unrealize' | 'delete'
export type JobResult = 'done' | 'failed' | 'abandoned' | 'cancelled'

/** The notification stream of churten (spec section 6). */
export type ChurtenNotification =
  | { type: 'running', running: boolean }
  | { type: 'pending', id: number, arena: ArenaName, path: RelPath, job: JobKind, bytes: number }
  | { type: 'started', id: number, arena: ArenaName, path: RelPath, job: JobKind }
  | { type: 'action', id: number, action: ChurtenAction }
  | { type: 'progress', id: number, bytes: number, total: number }
  | { type: 'ended', id: number, arena: ArenaName, path: RelPath, job: JobKind, result: JobResult, error?: string, retryAt?: number }

/** What a running job may report and must honour. */
export interface JobRun {
  signal: AbortSignal
  action: (action: ChurtenAction) => void
  progress: (bytes: number, total: number) => void
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
  /** Runs one job; throws AbandonedError when it cannot be done until something changes. */
  run: (job: Job, run: JobRun) => Promise<void>
  /** Calls `listener` with paths newly marked dirty; returns the unsubscribe. */
  onDirty: (listener: (paths: readonly RelPath[]) => void) => () => void
}
