import { lstatSync, watch, type FSWatcher } from 'node:fs'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { reconcile, type ScanContext, type ScanResult } from './scanner.js'
import { describeError } from '../types/errors.js'
import { isWithin, parsePath, ROOT, type RelPath } from '../types/path.js'

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
 */
export interface WatcherOptions extends Omit<ScanContext, 'onDirectory'> {
  /** Quiet time before a changed path is looked at. @default 200 */
  debounceMs?: number
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

  constructor (options: WatcherOptions) {
    super()
    this.debounceMs = options.debounceMs ?? 200
    this.quietMs = Math.min(this.debounceMs, QUIET_FILE_MS)
    this.ctx = {
      ...options,
      signal: options.signal == null ? this.abort.signal : AbortSignal.any([options.signal, this.abort.signal]),
      onDirectory: (dir) => { this.watchDirectory(dir) }
    }
  }

  /** Watches the root, runs the catch-up and resolves when it is done. */
  async start (): Promise<ScanResult> {
    const started = Date.now()
    const catchUp = this.run(ROOT)
    // Events that arrive meanwhile wait: one reconcile at a time.
    this.running = catchUp.then(() => {}, () => {})
    try {
      const result = await catchUp
      this.emit('caughtUp', { ...result, ms: Date.now() - started })
      return result
    } finally {
      this.running = undefined
      this.pump()
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    for (const t of this.pending.values()) clearTimeout(t)
    this.pending.clear()
    for (const w of this.watchers.values()) w.close()
    this.watchers.clear()
    this.abort.abort()
    await this.running?.catch(() => {})
  }

  get isIdle (): boolean {
    return this.pending.size === 0 && this.ready.length === 0 && this.running == null
  }

  /** Number of directories watched. */
  get watchedDirectories (): number {
    return this.watchers.size
  }

  private watchDirectory (dir: RelPath): void {
    if (this.stopped || this.watchers.has(dir)) return
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
    if (this.stopped) return
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
    if (this.running != null || this.stopped) return
    const path = this.ready.shift()
    if (path == null) {
      if (this.isIdle) this.emit('idle')
      return
    }
    this.running = this.run(path).then((result) => {
      this.emit('reconciled', path, result)
    }, (err) => {
      if (!this.stopped) this.emit('error', new Error(`watching ${join(this.ctx.root, path)}: ${describeError(err)}`, { cause: err }))
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
