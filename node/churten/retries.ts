import { describeError } from '../../datastore/types/errors.js'
import type { ArenaWorker } from './types.js'
import type { FailedJob } from '../../datastore/tables/failed-jobs.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Logger } from '../log.js'

export interface RetryOptions {
  /** First retry delay; doubles per failure up to maxBackoffMs. @default 1000 */
  backoffMs?: number
  /** @default one hour */
  maxBackoffMs?: number
  now?: () => number
  log: Logger
  /** Runs the path's job again (decides it afresh). */
  retry: (arena: ArenaWorker, path: RelPath) => void
}

/**
 * When churten tries a path again (spec section 6):
 *
 * - a failed job, after 1 s, 2 s, 4 s ... up to an hour; the record
 *   `{failures, retryAt, counter, error}` is in the store (failed-jobs
 *   table) so the backoff survives a restart, and mirrored here, read once
 *   at start, so deciding a path costs no read;
 * - a job no connected peer could serve, when a peer connects.
 *
 * A newer change to the path (another dirty counter) retries at once.
 */
export class Retries {
  private readonly failed = new Map<string, FailedJob>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly waiting = new Map<string, { arena: ArenaWorker, path: RelPath }>()

  constructor (private readonly options: RetryOptions) {}

  /** Reads the failed-jobs tables. */
  async load (arenas: readonly ArenaWorker[]): Promise<void> {
    this.failed.clear()
    await Promise.all(arenas.map(async (arena) => {
      for await (const [path, f] of arena.store.failedJobs.all()) this.failed.set(key(arena, path), f)
    }))
  }

  failure (arena: ArenaWorker, path: RelPath): FailedJob | undefined {
    return this.failed.get(key(arena, path))
  }

  /** A timer or a peer will bring the path back: a scan of the dirty table leaves it alone. */
  pending (arena: ArenaWorker, path: RelPath): boolean {
    const k = key(arena, path)
    return this.timers.has(k) || this.waiting.has(k)
  }

  /**
   * Stores one more failure of the job for dirty counter `counter`; returns
   * when it runs again: after the backoff, or at `due` when the failure
   * knows when it ends (a hold lease, node/churten/holds.ts). Never throws:
   * a failed save is logged.
   */
  async record (arena: ArenaWorker, path: RelPath, counter: number, error: string, due?: number): Promise<number> {
    const now = (this.options.now ?? Date.now)()
    const failures = (this.failure(arena, path)?.failures ?? 0) + 1
    const delay = due != null ? Math.max(0, due - now) : Math.min((this.options.backoffMs ?? 1000) * 2 ** (failures - 1), this.options.maxBackoffMs ?? 3_600_000)
    const record = { failures, retryAt: now + delay, counter, error }
    // Kept here first: a record the store refuses still retries with its backoff in this run.
    this.failed.set(key(arena, path), record)
    this.later(arena, path, delay)
    try {
      await arena.store.store.write((b) => { arena.store.failedJobs.put(b, path, record) })
    } catch (err) {
      this.options.log.error({ arena: arena.name, path, failures, retryAt: record.retryAt, err: describeError(err), event: 'retry-state-not-saved' },
        'could not save the retry state of a failed job: it is retried in this run, a restart forgets its backoff')
    }
    return record.retryAt
  }

  /**
   * Clears the dirty entry if still at `counter`; a job that was done also
   * forgets its failures. Clears of many paths share a commit (group commit).
   */
  async clear (arena: ArenaWorker, path: RelPath, counter: number, done = false): Promise<void> {
    const k = key(arena, path)
    const forget = await arena.store.store.writeGrouped(async (b) => {
      const cleared = await arena.store.dirty.clear(b, path, counter)
      if ((cleared || done) && this.failed.has(k)) arena.store.failedJobs.delete(b, path)
      return cleared || done
    })
    if (forget) this.failed.delete(k)
  }

  /** Runs the path again after `delay` ms (once, however often asked). */
  later (arena: ArenaWorker, path: RelPath, delay: number): void {
    const k = key(arena, path)
    if (this.timers.has(k)) return
    this.timers.set(k, setTimeout(() => {
      this.timers.delete(k)
      this.options.retry(arena, path)
    }, delay))
  }

  waitForPeer (arena: ArenaWorker, path: RelPath): void {
    this.waiting.set(key(arena, path), { arena, path })
  }

  /** The path changed: it is worth trying at once, not only when a peer connects. */
  changed (arena: ArenaWorker, path: RelPath): void {
    this.waiting.delete(key(arena, path))
  }

  peerConnected (): void {
    const all = [...this.waiting.values()]
    this.waiting.clear()
    for (const { arena, path } of all) {
      try {
        this.options.retry(arena, path)
      } catch (err) {
        this.options.log.warn({ path, err: describeError(err) }, 'retrying a job that waited for a peer failed')
      }
    }
  }

  stop (): void {
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    this.waiting.clear()
  }
}

export function key (arena: ArenaWorker, path: RelPath): string {
  return `${arena.name}\0${path}`
}
