import { EventEmitter } from 'node:events'
import { SizeGate } from './size-gate.js'
import { AbandonedError, CancelledError } from './errors.js'
import { describeError } from '../types/errors.js'
import type { Job } from '../consensus/decide.js'
import type { ArenaWorker, ChurtenNotification, JobResult } from './types.js'
import type { RelPath } from '../types/path.js'
import type { Logger } from '../log.js'

/**
 * Churten, the job runner (spec section 6).
 *
 *   dirty paths (counter order) ─> decide ─> none: clear ─────────────────────────┐
 *                                        └─> job ─> size gate ─> run ─> done: clear dirty (if its counter did not move)
 *                                                                    └─> failed: record, retry after backoff (kept in the store)
 *   path marked dirty while its job runs ─> cancel, decide again
 *
 * Dirty entries are cleared only when their job is done, so a crash or a
 * stop leaves them for the next start, and the next download resumes from
 * what its blob already holds.
 */
export interface ChurtenOptions {
  arenas: ArenaWorker[]
  /** {#sizegate} bytes in flight, default 8 MiB. */
  batchBytes: number
  log: Logger
  /** First retry delay; doubles per failure up to maxBackoffMs. */
  backoffMs?: number
  maxBackoffMs?: number
  now?: () => number
}

interface Running {
  id: number
  arena: ArenaWorker
  path: RelPath
  counter: number
  job: Job
  abort: AbortController
}

export class Churten extends EventEmitter<{ notification: [ChurtenNotification] }> {
  private running = false
  private stopper = new AbortController()
  private readonly gate: SizeGate
  private readonly jobs = new Map<string, Running>()
  private readonly passes = new Map<ArenaWorker, { cursor: number, busy: boolean, again: boolean }>()
  private readonly retryTimers = new Map<string, NodeJS.Timeout>()
  private readonly unsubscribe: Array<() => void> = []
  private nextId = 1

  constructor (private readonly options: ChurtenOptions) {
    super()
    this.gate = new SizeGate(options.batchBytes)
  }

  get isRunning (): boolean { return this.running }
  get jobCount (): number { return this.jobs.size }

  start (): void {
    if (this.running) return
    this.running = true
    this.stopper = new AbortController()
    for (const arena of this.options.arenas) {
      this.passes.set(arena, { cursor: 0, busy: false, again: false })
      this.unsubscribe.push(arena.onDirty((paths) => { this.onDirty(arena, paths) }))
      this.wake(arena)
    }
    this.notify({ type: 'running', running: true })
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    for (const u of this.unsubscribe.splice(0)) u()
    for (const t of this.retryTimers.values()) clearTimeout(t)
    this.retryTimers.clear()
    this.stopper.abort(new CancelledError('churten stopped'))
    for (const r of this.jobs.values()) r.abort.abort(new CancelledError('churten stopped'))
    await new Promise<void>((resolve) => {
      const check = (): void => { if (this.jobs.size === 0) { this.off('notification', check); resolve() } }
      this.on('notification', check)
      check()
    })
    this.notify({ type: 'running', running: false })
  }

  private notify (n: ChurtenNotification): void {
    this.emit('notification', n)
  }

  private onDirty (arena: ArenaWorker, paths: readonly RelPath[]): void {
    // A running job whose path moved is stale: cancel it; the pass decides again.
    for (const p of paths) {
      const r = this.jobs.get(key(arena, p))
      if (r != null) {
        void arena.store.dirty.counterOf(p).then((c) => {
          if (c != null && c !== r.counter) r.abort.abort(new CancelledError('the path changed while its job ran'))
        })
      }
    }
    this.wake(arena)
  }

  private wake (arena: ArenaWorker): void {
    const pass = this.passes.get(arena)
    if (pass == null || !this.running) return
    if (pass.busy) { pass.again = true; return }
    pass.busy = true
    void this.pass(arena).catch((err) => {
      this.options.log.error({ arena: arena.name, err: describeError(err) }, 'churten pass failed')
    }).finally(() => {
      pass.busy = false
      if (pass.again && this.running) { pass.again = false; this.wake(arena) }
    })
  }

  /** Reads dirty paths after the cursor, in counter order, and starts their jobs. */
  private async pass (arena: ArenaWorker): Promise<void> {
    const pass = this.passes.get(arena)
    if (pass == null) return
    const signal = this.stopper.signal
    for await (const { path, counter } of arena.store.dirty.since(pass.cursor, { signal })) {
      if (!this.running) return
      pass.cursor = counter
      if (this.jobs.has(key(arena, path))) continue
      await this.handle(arena, path, counter)
    }
  }

  private async handle (arena: ArenaWorker, path: RelPath, counter: number): Promise<void> {
    const now = (this.options.now ?? Date.now)()
    const failed = await arena.store.failedJobs.get(path)
    if (failed != null && failed.counter === counter && failed.retryAt > now) {
      this.retryLater(arena, path, failed.retryAt - now)
      return
    }
    const job = await arena.decide(path, this.stopper.signal)
    if (job == null) {
      await this.clear(arena, path, counter)
      return
    }
    const bytes = job.kind === 'download' || job.kind === 'realize' ? job.version.size : 0
    const id = this.nextId++
    const r: Running = { id, arena, path, counter, job, abort: new AbortController() }
    this.jobs.set(key(arena, path), r)
    this.notify({ type: 'pending', id, arena: arena.name, path, job: job.kind, bytes })
    // Admission is awaited here so jobs start in counter order; the job itself runs on.
    let release: () => void
    try {
      release = await this.gate.acquire(bytes, AbortSignal.any([this.stopper.signal, r.abort.signal]))
    } catch (err) {
      this.jobs.delete(key(arena, path))
      this.notify({ type: 'ended', id, arena: arena.name, path, job: job.kind, result: 'cancelled', error: describeError(err) })
      return
    }
    void this.execute(r).finally(release)
  }

  private async execute (r: Running): Promise<void> {
    const { id, arena, path, job } = r
    this.notify({ type: 'started', id, arena: arena.name, path, job: job.kind })
    let result: JobResult = 'done'
    let error: string | undefined
    let retryAt: number | undefined
    try {
      await arena.run(job, {
        signal: AbortSignal.any([r.abort.signal, this.stopper.signal]),
        action: (action) => { this.notify({ type: 'action', id, action }) },
        progress: (bytes, total) => { this.notify({ type: 'progress', id, bytes, total }) }
      })
      await this.clear(arena, path, r.counter)
    } catch (err) {
      error = describeError(err)
      if (r.abort.signal.aborted || this.stopper.signal.aborted) {
        result = 'cancelled'
      } else if (err instanceof AbandonedError) {
        result = 'abandoned'
        await this.clear(arena, path, r.counter)
      } else {
        result = 'failed'
        retryAt = await this.recordFailure(arena, path, r.counter, error)
      }
    } finally {
      this.jobs.delete(key(arena, path))
    }
    this.notify({ type: 'ended', id, arena: arena.name, path, job: job.kind, result, ...(error != null ? { error } : {}), ...(retryAt != null ? { retryAt } : {}) })
    if (!this.running) return
    // Marked again while it ran: decide again now rather than at the next pass.
    const current = await arena.store.dirty.counterOf(path)
    if (current != null && current !== r.counter && !this.jobs.has(key(arena, path))) await this.handle(arena, path, current)
  }

  private async clear (arena: ArenaWorker, path: RelPath, counter: number): Promise<void> {
    await arena.store.store.write(async (b) => {
      if (await arena.store.dirty.clear(b, path, counter)) arena.store.failedJobs.delete(b, path)
    })
  }

  private async recordFailure (arena: ArenaWorker, path: RelPath, counter: number, error: string): Promise<number> {
    const now = (this.options.now ?? Date.now)()
    const prev = await arena.store.failedJobs.get(path)
    const failures = (prev?.failures ?? 0) + 1
    const base = this.options.backoffMs ?? 1000
    const delay = Math.min(base * 2 ** (failures - 1), this.options.maxBackoffMs ?? 3_600_000)
    const retryAt = now + delay
    await arena.store.store.write((b) => { arena.store.failedJobs.put(b, path, { failures, retryAt, counter, error }) })
    this.retryLater(arena, path, delay)
    return retryAt
  }

  private retryLater (arena: ArenaWorker, path: RelPath, delay: number): void {
    const k = key(arena, path)
    if (this.retryTimers.has(k)) return
    this.retryTimers.set(k, setTimeout(() => {
      this.retryTimers.delete(k)
      if (!this.running || this.jobs.has(k)) return
      void arena.store.dirty.counterOf(path).then(async (c) => { if (c != null) await this.handle(arena, path, c) })
    }, delay))
  }
}

function key (arena: ArenaWorker, path: RelPath): string {
  return `${arena.name}\0${path}`
}
