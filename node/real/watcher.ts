import { lstatSync, watch, type FSWatcher } from 'node:fs'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { reconcile, type ScanContext, type ScanResult } from './scanner.js'
import { ArenaPausedError, type RootCheck } from './root-check.js'
import { describeError } from '../../datastore/types/errors.js'
import { isWithin, parsePath, ROOT, type RelPath } from '../../datastore/types/path.js'

/**
 * Follows one arena root: catch-up first, then live changes.
 *
 *   fs.watch per directory ─> pending (debounce per path) ─> one reconcile at a time ─> RealIndex
 *
 * One plain `fs.watch` per directory rather than `{ recursive: true }`:
 * recursive watching drops xattr changes on directories, while a
 * per-directory watch reports them as an event for the child's name on the
 * parent (spec section 4). A path is reconciled once no event has touched it
 * for `debounceMs`; a file that changed while being hashed is looked at again.
 * A large file whose content has not changed for `debounceMs` already (a
 * file moved in) waits only QUIET_FILE_MS: nobody is writing it, so the full
 * wait would only delay its history entry (scripts/bench-sync.ts).
 *
 * A root that disappears is not a deletion (spec section 4): `check` tests
 * the root before the catch-up, before each reconcile and every
 * `recheckMs`. A root that fails it pauses the watcher (no watches, no
 * reconciles, so no removals); while paused the root is tested again every
 * `recheckMs` and the watcher resumes with a catch-up once it passes, or
 * when the user confirms (`resume(true)`, for an emptied root).
 *
 *   active ──root fails──> paused ──root passes (or the user confirms)──> catch-up ──> active
 */
export interface WatcherOptions extends Omit<ScanContext, 'onDirectory' | 'guard'> {
  /** Quiet time before a changed path is looked at. @default 200 */
  debounceMs?: number
  /** The root's health; without it the root is trusted and a failed catch-up rejects start(). */
  check?: RootCheck
  /** How often the root is tested again, active or paused. @default 2000 */
  recheckMs?: number
}

/**
 * The wait for a large file nobody is writing. Not zero: churten renames a
 * realized file into place and indexes it a few milliseconds later; looking
 * before that would hash the file again for nothing.
 */
export const QUIET_FILE_MS = 50

/**
 * Smaller files keep the full wait: for them it is not worth saving, and
 * bursts of them (thousands realized by churten) must not race their own
 * index updates.
 */
export const QUIET_FILE_MIN_BYTES = 1024 * 1024

export interface WatcherEvents {
  /** Catch-up of the whole root finished. */
  caughtUp: [ScanResult & { ms: number }]
  /** A reconcile finished. */
  reconciled: [RelPath, ScanResult]
  /** Nothing is pending or running. */
  idle: []
  /** The root failed its check (again, for another reason): nothing is reconciled until it passes. */
  paused: [ArenaPausedError]
  /** The root passed its check again and the catch-up is done. */
  resumed: []
  error: [Error]
}

export class ArenaWatcher extends EventEmitter<WatcherEvents> {
  private readonly watchers = new Map<RelPath, FSWatcher>()
  private readonly pending = new Map<RelPath, NodeJS.Timeout>()
  private readonly ready: RelPath[] = []
  private running: Promise<void> | undefined
  private stopped = false
  private readonly abort = new AbortController()
  private readonly ctx: ScanContext
  private readonly debounceMs: number
  private readonly quietMs: number
  private readonly check: RootCheck | undefined
  private readonly recheckMs: number
  private recheck: NodeJS.Timeout | undefined
  private pausedBy: ArenaPausedError | undefined
  private pausedAt = 0
  private resuming: Promise<ScanResult | undefined> | undefined

  constructor (options: WatcherOptions) {
    super()
    this.debounceMs = options.debounceMs ?? 200
    this.quietMs = Math.min(this.debounceMs, QUIET_FILE_MS)
    this.check = options.check
    this.recheckMs = options.recheckMs ?? 2000
    const check = options.check
    this.ctx = {
      ...options,
      signal: options.signal == null ? this.abort.signal : AbortSignal.any([options.signal, this.abort.signal]),
      onDirectory: (dir) => { this.watchDirectory(dir) },
      guard: check == null ? undefined : () => { check.quick() }
    }
    options.index.on('recheck', this.onRecheck)
  }

  /** The index set an observation aside while the node placed a file (RealIndex.placing): look again. */
  private readonly onRecheck = (path: RelPath): void => { this.schedule(path) }

  /**
   * Watches the root, runs the catch-up and resolves when it is done, with
   * undefined when the arena is paused instead (see `paused`).
   */
  async start (): Promise<ScanResult | undefined> {
    if (this.check != null && this.recheck == null) {
      this.recheck = setInterval(() => { this.tick() }, this.recheckMs)
      this.recheck.unref()
    }
    return await this.catchUp(false)
  }

  /** Why the arena is paused; undefined while it runs. */
  get paused (): ArenaPausedError | undefined {
    return this.pausedBy
  }

  /** When it paused (ms since the epoch); meaningful while `paused`. */
  get pausedSince (): number {
    return this.pausedAt
  }

  /**
   * Tests a paused root again and catches up if it passes; `confirm`
   * accepts an emptied root, or one without its marker, as it is (the
   * missing files are then published as removed). Throws the reason when
   * it is still paused; resolves undefined when it was not paused.
   */
  async resume (confirm = false): Promise<ScanResult | undefined> {
    while (this.resuming != null) await this.resuming.catch(() => {})
    if (this.pausedBy == null || this.stopped) return undefined
    const attempt = (async () => {
      try {
        await this.check?.full(confirm)
      } catch (err) {
        throw this.pause(this.asPaused(err))
      }
      // Watches and events flow again during the catch-up; a catch-up that
      // fails for the same reason again pauses without a new announcement.
      const before = this.pausedBy
      this.pausedBy = undefined
      const result = await this.catchUp(confirm, before)
      if (result == null) throw this.pausedBy ?? before
      this.emit('resumed')
      return result
    })()
    this.resuming = attempt
    try {
      return await attempt
    } finally {
      this.resuming = undefined
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.ctx.index.off('recheck', this.onRecheck)
    clearInterval(this.recheck)
    this.unwatchAll()
    this.abort.abort()
    await this.running?.catch(() => {})
    await this.resuming?.catch(() => {})
  }

  private async catchUp (confirm: boolean, pausedBefore?: ArenaPausedError): Promise<ScanResult | undefined> {
    const started = Date.now()
    const catchUp = (async () => {
      await this.check?.full(confirm)
      return await this.run(ROOT)
    })()
    // Events that arrive meanwhile wait: one reconcile at a time.
    this.running = catchUp.then(() => {}, () => {})
    try {
      const result = await catchUp
      await this.check?.markIndexed()
      this.emit('caughtUp', { ...result, ms: Date.now() - started })
      return result
    } catch (err) {
      if (this.stopped || this.check == null) throw err
      this.pause(this.asPaused(err), pausedBefore)
      return undefined
    } finally {
      this.running = undefined
      this.pump()
    }
  }

  /**
   * Every recheckMs: a paused root is tested for a resume, an active one for
   * a pause. Not while a reconcile runs: it tests the root itself before it
   * removes anything (and a catch-up may be making the marker).
   */
  private tick (): void {
    if (this.stopped || this.resuming != null || this.running != null || this.check == null) return
    if (this.pausedBy != null) {
      this.resume().catch((err) => { if (!this.stopped && !(err instanceof ArenaPausedError)) this.emit('error', err as Error) })
      return
    }
    try {
      this.check.quick()
    } catch (err) {
      this.pause(this.asPaused(err))
    }
  }

  /** Stops watching and drops what was queued; announces the reason when it is new (`before`: the pause a resume attempt left). */
  private pause (err: ArenaPausedError, before?: ArenaPausedError): ArenaPausedError {
    if (this.stopped) return err
    const changed = (this.pausedBy ?? before)?.code !== err.code
    if (this.pausedBy == null && before == null) this.pausedAt = Date.now()
    this.pausedBy = err
    this.unwatchAll()
    this.ready.length = 0
    if (changed) this.emit('paused', err)
    return err
  }

  /** Only called with a check (pauses need one). */
  private asPaused (err: unknown): ArenaPausedError {
    return err instanceof ArenaPausedError ? err : (this.check as RootCheck).failed(err)
  }

  private unwatchAll (): void {
    for (const t of this.pending.values()) clearTimeout(t)
    this.pending.clear()
    for (const w of this.watchers.values()) w.close()
    this.watchers.clear()
  }

  get isIdle (): boolean {
    return this.pending.size === 0 && this.ready.length === 0 && this.running == null
  }

  /** Number of directories watched. */
  get watchedDirectories (): number {
    return this.watchers.size
  }

  private watchDirectory (dir: RelPath): void {
    if (this.stopped || this.pausedBy != null || this.watchers.has(dir)) return
    let w: FSWatcher
    try {
      w = watch(join(this.ctx.root, dir), { persistent: false }, (_type, name) => {
        if (name == null) { this.schedule(dir); return }
        this.onEvent(dir, name.toString())
      })
    } catch (err) {
      // Gone already (its parent's event will reconcile it) or out of watches.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.emit('error', err as Error)
      return
    }
    w.on('error', () => {
      this.unwatchWithin(dir)
      this.schedule(dir)
    })
    this.watchers.set(dir, w)
  }

  private onEvent (dir: RelPath, name: string): void {
    if (this.ctx.ignored(join(this.ctx.root, dir, name), name)) return
    let path: RelPath
    try {
      path = parsePath(dir === '' ? name : `${dir}/${name}`)
    } catch {
      return
    }
    this.schedule(path, this.isQuietFile(path) ? this.quietMs : this.debounceMs)
  }

  private schedule (path: RelPath, delayMs = this.debounceMs): void {
    if (this.stopped || this.pausedBy != null) return
    const t = this.pending.get(path)
    if (t != null) clearTimeout(t)
    this.pending.set(path, setTimeout(() => {
      this.pending.delete(path)
      this.ready.push(path)
      this.pump()
    }, delayMs))
  }

  /**
   * A large regular file last written at least `debounceMs` ago. Only
   * files: a directory's mtime says nothing about the files being written
   * inside it. Being wrong costs a hash: a file that changes meanwhile fails
   * the size and mtime check after hashing and is looked at again (unstable).
   */
  private isQuietFile (path: RelPath): boolean {
    const st = lstatSync(join(this.ctx.root, path), { throwIfNoEntry: false })
    if (st?.isFile() !== true || st.size < QUIET_FILE_MIN_BYTES) return false
    return Date.now() - st.mtimeMs >= this.debounceMs
  }

  private pump (): void {
    if (this.running != null || this.stopped || this.pausedBy != null) return
    const path = this.ready.shift()
    if (path == null) {
      if (this.isIdle) this.emit('idle')
      return
    }
    this.running = (async () => {
      // A path gone because its root went is not a deletion.
      this.check?.quick()
      return await this.run(path)
    })().then((result) => {
      this.emit('reconciled', path, result)
    }, (err) => {
      if (this.stopped) return
      if (err instanceof ArenaPausedError) this.pause(err)
      else this.emit('error', new Error(`watching ${join(this.ctx.root, path)}: ${describeError(err)}`, { cause: err }))
    }).finally(() => {
      this.running = undefined
      this.pump()
    })
  }

  private async run (path: RelPath): Promise<ScanResult> {
    // Drop duplicates queued meanwhile: this pass covers them.
    for (let i = this.ready.length - 1; i >= 0; i--) {
      if (isWithin(this.ready[i] as RelPath, path)) this.ready.splice(i, 1)
    }
    // An event names this directory itself: it may be a new one made under
    // the old name (deleted or moved away, then made again within one quiet
    // period). Its old watches follow the old inode and would report nothing
    // of the new tree, whose later files would never be published; inode
    // numbers are reused at once, so they cannot tell. The walk watches each
    // directory again before listing it, so nothing is missed in between.
    if (path !== ROOT && this.watchers.has(path)) this.unwatchWithin(path)
    const result = await reconcile(this.ctx, path)
    if (result.kind !== 'dir') this.unwatchWithin(path)
    for (const p of result.unstable) this.schedule(p)
    return result
  }

  private unwatchWithin (path: RelPath): void {
    for (const [dir, w] of this.watchers) {
      if (dir !== '' && isWithin(dir, path)) {
        w.close()
        this.watchers.delete(dir)
      }
    }
  }
}
