import { EventEmitter } from 'node:events'
import { JobTally } from './job-tally.js'
import { SizeGate } from './size-gate.js'
import { key, Retries } from './retries.js'
import { AbandonedError, CancelledError, NoPeerError } from '../fetch/errors.js'
import { HeldError } from './holds.js'
import { sameJob, type Job } from '../consensus/decide.js'
import { describeError, RealizeError } from '../../datastore/types/errors.js'
import type { ArenaWorker, ChurtenNotification, JobResult, JobStats } from './types.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Logger } from '../log.js'

/** Deciding a dirty path's job failed (a store read): the path stays dirty and is decided again. */
export class DecideError extends RealizeError {
  constructor (arena: string, path: RelPath, cause: unknown) {
    super('DECIDE_FAILED', `${arena}/${path}: deciding what the path needs failed; it is tried again`, { cause })
  }
}

export interface ChurtenOptions {
  arenas: ArenaWorker[]
  /** {#sizegate} bytes in flight, default 8 MiB. */
  batchBytes: number
  log: Logger
  /** First retry delay; doubles per failure up to maxBackoffMs. */
  backoffMs?: number
  maxBackoffMs?: number
  now?: () => number
  /** Calls `listener` when a peer connects (jobs waiting for a peer run again); returns the unsubscribe. */
  onPeerConnected?: (listener: () => void) => () => void
}

/** Progress notifications per job at most this often (plus the last). */
const PROGRESS_EVERY_MS = 100

interface Running {
  id: number
  arena: ArenaWorker
  path: RelPath
  counter: number
  job: Job
  abort: AbortController
  /**
   * The job is committing its result (realize, unrealize, delete): its own
   * writes mark the path dirty now, and it checks the disk itself.
   */
  committing: boolean
}

/** A scan of the whole dirty table this often, for marks written without an event. */
const FULL_SCAN_MS = 60_000

interface Pass {
  busy: boolean
  again: boolean
  /** Scan the whole dirty table next (at start, and now and then). */
  full: boolean
  /** Paths reported dirty since the last pass, in the order reported. */
  queue: Set<RelPath>
}

/**
 * Churten, the job runner (spec section 6).
 *
 *   dirty paths (counter order) ─> decide ─> none: clear
 *                                        ├─> read failed: log, keep dirty, decide again after backoff
 *                                        └─> job ─> size gate ─> run ─> done: clear dirty (if its counter did not move)
 *                                                                    ├─> failed: record, retry after backoff (kept in the store)
 *                                                                    └─> no peer has it: keep dirty, retry when a peer connects
 *   path marked dirty while its job runs ─> decide again ─> same job: carry on; else cancel, decide again
 *
 * Dirty entries are cleared only when their job is done, so a crash or a
 * stop leaves them for the next start, and the next download resumes from
 * what its blob already holds.
 */
export class Churten extends EventEmitter<{ notification: [ChurtenNotification] }> {
  private running = false
  private stopper = new AbortController()
  private readonly gate: SizeGate
  private readonly jobs = new Map<string, Running>()
  private readonly passes = new Map<ArenaWorker, Pass>()
  private readonly retries: Retries
  private readonly unsubscribe: Array<() => void> = []
  private loading: Promise<void> = Promise.resolve()
  private nextId = 1
  private readonly tally: JobTally

  constructor (private readonly options: ChurtenOptions) {
    super()
    this.tally = new JobTally(options.log)
    this.gate = new SizeGate(options.batchBytes)
    this.retries = new Retries({
      backoffMs: options.backoffMs,
      maxBackoffMs: options.maxBackoffMs,
      now: options.now,
      log: options.log,
      retry: (arena, path) => {
        if (!this.running || this.jobs.has(key(arena, path))) return
        void arena.store.dirty.counterOf(path).then(async (c) => { if (c != null && this.running) await this.handle(arena, path, c) }).catch((err) => {
          this.options.log.warn({ path, err: describeError(err) }, 'retrying a job failed')
        })
      }
    })
  }

  get isRunning (): boolean { return this.running }
  get jobCount (): number { return this.jobs.size }

  start (): void {
    if (this.running) return
    this.running = true
    this.stopper = new AbortController()
    if (this.options.onPeerConnected != null) this.unsubscribe.push(this.options.onPeerConnected(() => { this.retries.peerConnected() }))
    this.loading = this.retries.load(this.options.arenas).catch((err) => { this.options.log.error({ err: describeError(err) }, 'reading failed jobs') })
    for (const arena of this.options.arenas) {
      this.passes.set(arena, { busy: false, again: false, full: true, queue: new Set() })
      this.unsubscribe.push(arena.onDirty((paths) => { this.onDirty(arena, paths) }))
      this.unsubscribe.push(arena.onPauseChange((paused) => { this.onPauseChange(arena, paused) }))
      this.wake(arena)
    }
    const timer = setInterval(() => {
      for (const [arena, pass] of this.passes) {
        pass.full = true
        this.wake(arena)
      }
    }, FULL_SCAN_MS)
    timer.unref()
    this.unsubscribe.push(() => { clearInterval(timer) })
    this.notify({ type: 'running', running: true })
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    for (const u of this.unsubscribe.splice(0)) u()
    this.retries.stop()
    this.stopper.abort(new CancelledError('churten stopped'))
    for (const r of this.jobs.values()) r.abort.abort(new CancelledError('churten stopped'))
    await new Promise<void>((resolve) => {
      const check = (): void => { if (this.jobs.size === 0) { this.off('notification', check); resolve() } }
      this.on('notification', check)
      check()
    })
    // Passes still reading the dirty table see the stop and end.
    await Promise.all([...this.passes.values()].map(async (p) => { while (p.busy) await new Promise((resolve) => setImmediate(resolve)) }))
    this.passes.clear()
    this.tally.flush()
    this.notify({ type: 'running', running: false })
  }

  private notify (n: ChurtenNotification): void {
    this.emit('notification', n)
  }

  private onDirty (arena: ArenaWorker, paths: readonly RelPath[]): void {
    const pass = this.passes.get(arena)
    for (const p of paths) {
      if (pass != null) {
        // Re-added at the end: the order is the order of the latest reports.
        pass.queue.delete(p)
        pass.queue.add(p)
      }
      const r = this.jobs.get(key(arena, p))
      if (r != null && !r.committing) void this.recheck(r)
      this.retries.changed(arena, p)
    }
    this.wake(arena)
  }

  /**
   * A paused arena's root is not to be touched (spec section 4): its jobs
   * are cancelled and stay dirty; on resume the whole dirty table is read
   * again.
   */
  private onPauseChange (arena: ArenaWorker, paused: boolean): void {
    if (paused) {
      for (const r of this.jobs.values()) if (r.arena === arena) r.abort.abort(new CancelledError(`arena ${arena.name} paused`))
      return
    }
    const pass = this.passes.get(arena)
    if (pass != null) pass.full = true
    this.wake(arena)
  }

  /** The path of a running job moved: the same job carries on (with the new counter), another cancels it. */
  private async recheck (r: Running): Promise<void> {
    try {
      const counter = await r.arena.store.dirty.counterOf(r.path)
      if (counter == null || counter === r.counter) return
      const job = await r.arena.decide(r.path, r.abort.signal)
      if (this.jobs.get(key(r.arena, r.path)) !== r) return
      if (job != null && sameJob(job, r.job)) r.counter = Math.max(r.counter, counter)
      else r.abort.abort(new CancelledError('the path changed while its job ran'))
    } catch (err) {
      if (!r.abort.signal.aborted) this.options.log.warn({ path: r.path, err: describeError(err) }, 'deciding a running job again failed')
    }
  }

  private wake (arena: ArenaWorker): void {
    const pass = this.passes.get(arena)
    if (pass == null || !this.running) return
    if (pass.busy) { pass.again = true; return }
    pass.busy = true
    void this.pass(arena, pass).catch((err) => {
      if (this.running) this.options.log.error({ arena: arena.name, err: describeError(err) }, 'churten pass failed')
    }).finally(() => {
      pass.busy = false
      if (pass.again && this.running) { pass.again = false; this.wake(arena) }
    })
  }

  /**
   * Starts the jobs of dirty paths: the paths reported since the last pass,
   * in the order reported (each marks moves a path to the end of the dirty
   * order, so this is counter order), and at start and every FULL_SCAN_MS
   * the whole dirty table in counter order, for anything marked without an
   * event. Paths waiting for a peer or a retry are left to their triggers.
   */
  private async pass (arena: ArenaWorker, pass: Pass): Promise<void> {
    const signal = this.stopper.signal
    await this.loading
    while (this.running && !arena.isPaused()) {
      // Paths that need nothing are cleared without waiting for the commit:
      // the clears of a pass share commits, awaited before the next round.
      const clearing: Array<Promise<void>> = []
      if (pass.full) {
        pass.full = false
        for await (const { path, counter } of arena.store.dirty.since(0, { signal })) {
          if (!this.running) break
          const k = key(arena, path)
          pass.queue.delete(path)
          if (this.jobs.has(k) || this.retries.pending(arena, path)) continue
          await this.handle(arena, path, counter, clearing)
        }
      }
      const paths = [...pass.queue]
      pass.queue.clear()
      for (const path of paths) {
        if (!this.running) break
        if (this.jobs.has(key(arena, path))) continue
        const counter = await arena.store.dirty.counterOf(path)
        if (counter != null) await this.handle(arena, path, counter, clearing)
      }
      await Promise.all(clearing)
      if (!this.running || (paths.length === 0 && !pass.full)) return
    }
  }

  /** `clearing`: where a pass collects the clears of paths that need nothing, instead of awaiting each. */
  private async handle (arena: ArenaWorker, path: RelPath, counter: number, clearing?: Array<Promise<void>>): Promise<void> {
    const k = key(arena, path)
    const now = (this.options.now ?? Date.now)()
    const failed = this.retries.failure(arena, path)
    if (failed != null && failed.counter === counter && failed.retryAt > now) {
      this.retries.later(arena, path, failed.retryAt - now)
      return
    }
    // Left dirty: a resume reads the whole dirty table again.
    if (arena.isPaused()) return
    let job: Job | undefined
    try {
      job = await arena.decide(path, this.stopper.signal)
    } catch (err) {
      // Nothing known is not "nothing to do": the path stays dirty and is decided again after a backoff.
      if (!this.running || this.stopper.signal.aborted) return
      const e = new DecideError(arena.name, path, err)
      this.options.log.error({ arena: arena.name, path, err: describeError(e), code: e.code, event: 'decide-failed' }, e.message)
      this.retries.later(arena, path, this.options.backoffMs ?? 1000)
      return
    }
    if (!this.running || this.jobs.has(k) || arena.isPaused()) return
    if (job == null) {
      const cleared = this.retries.clear(arena, path, counter)
      if (clearing != null) clearing.push(cleared)
      else await cleared
      return
    }
    const bytes = job.kind === 'download' || job.kind === 'realize' ? job.version.size : 0
    const id = this.nextId++
    // stop() aborts every job's controller; one made after that starts aborted.
    // One signal per job: AbortSignal.any per job cost ~0.1 ms of each small file.
    const abort = new AbortController()
    if (this.stopper.signal.aborted) abort.abort(this.stopper.signal.reason)
    const r: Running = { id, arena, path, counter, job, abort, committing: false }
    this.jobs.set(k, r)
    this.retries.changed(arena, path)
    this.notify({ type: 'pending', id, arena: arena.name, path, job: job.kind, bytes })
    // Admission is awaited here so jobs start in counter order; the job itself runs on.
    let release: () => void
    try {
      release = await this.gate.acquire(bytes, r.abort.signal)
    } catch (err) {
      this.jobs.delete(k)
      this.notify({ type: 'ended', id, arena: arena.name, path, job: job.kind, result: 'cancelled', error: describeError(err) })
      if (this.running) void this.followUp(r)
      return
    }
    // The gate is released before the follow-up, which may need it.
    void this.execute(r, failed?.failures ?? 0).finally(release).then(async () => {
      if (this.running) await this.followUp(r)
    }).catch((err) => { this.options.log.error({ path, err: describeError(err) }, 'churten job bookkeeping failed') })
  }

  private async execute (r: Running, attempt: number): Promise<void> {
    const { id, arena, path, job } = r
    const log = this.options.log
    this.notify({ type: 'started', id, arena: arena.name, path, job: job.kind, attempt })
    log.debug({ arena: arena.name, path, job: job.kind, attempt, event: 'job-started' }, 'job started')
    let result: JobResult = 'done'
    let err: unknown
    let retryAt: number | undefined
    let stats: JobStats | undefined
    let lastProgress = 0
    try {
      stats = await arena.run(job, {
        signal: r.abort.signal,
        attempt,
        action: (action) => {
          if (action === 'realize' || action === 'unrealize' || action === 'delete') r.committing = true
          this.notify({ type: 'action', id, action })
          log.debug({ arena: arena.name, path, action, event: 'job-action' }, 'job action')
        },
        progress: (bytes, total) => {
          const t = performance.now()
          if (bytes < total && t - lastProgress < PROGRESS_EVERY_MS) return
          lastProgress = t
          this.notify({ type: 'progress', id, bytes, total })
        },
        checkpoint: (bytes, total) => { log.debug({ arena: arena.name, path, bytes, total, event: 'download-checkpoint' }, 'download checkpoint') }
      }) ?? undefined
      await this.retries.clear(arena, path, r.counter, true)
    } catch (e) {
      err = e
      if (r.abort.signal.aborted || this.stopper.signal.aborted) {
        result = 'cancelled'
      } else if (e instanceof NoPeerError) {
        // Kept dirty: it runs again when a peer connects or the path changes.
        result = 'abandoned'
        this.retries.waitForPeer(arena, path)
      } else if (e instanceof AbandonedError) {
        result = 'abandoned'
        await this.retries.clear(arena, path, r.counter).catch((e2) => { log.error({ arena: arena.name, path, err: describeError(e2) }, 'could not clear the retry state of an abandoned job') })
      } else {
        result = 'failed'
        retryAt = await this.retries.record(arena, path, r.counter, describeError(e), e instanceof HeldError ? e.until : undefined)
      }
    } finally {
      this.jobs.delete(key(arena, path))
    }
    const error = err == null ? undefined : describeError(err)
    const code = err instanceof RealizeError ? err.code : undefined
    this.notify({
      type: 'ended', id, arena: arena.name, path, job: job.kind, result,
      ...(error != null ? { error } : {}), ...(code != null ? { code } : {}), ...(retryAt != null ? { retryAt } : {}), ...(stats != null ? { stats } : {})
    })
    const fields = { arena: arena.name, path, job: job.kind, result, attempt, error, code, retryAt, ...stats, event: 'job-ended' }
    // Each job at debug (a failure at warn, naming the file); at info, the sum of a burst (job-tally.ts).
    if (result === 'failed') log.warn(fields, 'job failed')
    else log.debug(fields, `job ${result}`)
    this.tally.add(job.kind, result, stats?.fetched)
  }

  /** Marked again while its job ran (or waited): decide again now rather than at the next pass. */
  private async followUp (r: Running): Promise<void> {
    const current = await r.arena.store.dirty.counterOf(r.path).catch((err) => {
      this.options.log.error({ arena: r.arena.name, path: r.path, err: describeError(err) }, 'reading a path\'s dirty counter after its job failed; it runs at the next pass')
      return undefined
    })
    if (current != null && current !== r.counter && !this.jobs.has(key(r.arena, r.path))) await this.handle(r.arena, r.path, current)
  }
}

