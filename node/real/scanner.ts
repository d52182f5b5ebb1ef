import { lstatSync, readFileSync, type Stats } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { hashBytes, hashFile } from './hasher.js'
import { readMarkXattrSync, writeMarkXattrSync, type XattrMark } from '../marks/xattr.js'
import { joinPath, type RelPath } from '../../datastore/types/path.js'
import { describeError } from '../../datastore/types/errors.js'
import { NotADirectoryError, parentInRoot, PathEscapeError } from './root-path.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { MarkEntry } from '../../datastore/tables/marks.js'
import type { Logger } from '../log.js'
import type { FileChange, MarkChange, RealIndex } from './real-index.js'

/**
 * Reconciles part of an arena root with the index: the same code does the
 * catch-up at start (the whole root) and each live event (one path, which
 * may be a file, a new directory, or something gone).
 *
 *   index + marks under path ──> known ──┐
 *   walk: readdir, lstat, xattr ─────────┼─> same size+mtime: done; else hash ─> RealIndex.apply
 *                                        └─> known but not seen: removed
 *
 * The walk stats synchronously, one directory at a time, yielding to the
 * event loop between chunks: on a warm cache lstat and getxattr take about a
 * microsecond, their async forms ten times that (docs/BENCHMARKS.md).
 */
export interface ScanContext {
  root: string
  store: ArenaStore
  index: RealIndex
  log: Logger
  /** True for names the watcher must not look at (own temp files, the data dir). */
  ignored: (absPath: string, name: string) => boolean
  /** Called for every directory found, before it is listed, so no event is missed. */
  onDirectory?: (path: RelPath) => void
  /**
   * Throws when the root itself is not there to be read (root-check.ts):
   * called right before what was not found becomes removals, so a root
   * that vanished during the walk is not published as deleted.
   */
  guard?: () => void
  signal?: AbortSignal
}

export interface ScanResult {
  /** What the path turned out to be. */
  kind: 'file' | 'dir' | 'gone'
  files: number
  /** Files added, replaced or removed. */
  changed: number
  /** Files that changed while being hashed: look again later. */
  unstable: RelPath[]
}

const BATCH = 256
const YIELD_EVERY = 512
const HASH_CONCURRENCY = 2
/** Files up to this size are read and hashed in one synchronous step. */
const SMALL_FILE = 64 * 1024

interface Found { path: RelPath, size: number, mtime: number }

class Reconciler {
  /** Index entries not seen on disk yet: whatever is left at the end is gone. */
  readonly known = new Map<RelPath, { size: number, mtime: number }>()
  /** Marks not seen on disk yet. */
  readonly marks = new Map<RelPath, MarkEntry>()
  readonly toHash: Found[] = []
  readonly fileChanges: FileChange[] = []
  readonly markChanges: MarkChange[] = []
  readonly result: ScanResult = { kind: 'gone', files: 0, changed: 0, unstable: [] }
  private sinceYield = 0

  constructor (readonly ctx: ScanContext) {}

  async load (path: RelPath): Promise<void> {
    const { index, marks } = this.ctx.store
    const signal = this.ctx.signal
    if (path !== '') {
      const e = await index.get(path)
      if (e != null) this.known.set(path, { size: e.size, mtime: e.mtime })
      const m = await marks.getEntry(path)
      if (m != null) this.marks.set(path, m)
    }
    for await (const [p, e] of index.under(path, { signal })) this.known.set(p, { size: e.size, mtime: e.mtime })
    for await (const [p, m] of marks.under(path, { signal })) this.marks.set(p, m)
  }

  /** A file found on disk: compare with the index, hash small changed files at once. */
  file (path: RelPath, st: Stats, xattr: XattrMark): void {
    this.result.files++
    this.mark(path, xattr)
    const old = this.known.get(path)
    this.known.delete(path)
    if (old != null && old.size === st.size && old.mtime === st.mtimeMs) return
    if (st.size <= SMALL_FILE) {
      const abs = join(this.ctx.root, path)
      try {
        const data = readFileSync(abs)
        const after = lstatSync(abs, { throwIfNoEntry: false })
        if (after?.isFile() === true && after.size === data.byteLength && after.mtimeMs === st.mtimeMs && after.size === st.size) {
          this.fileChanges.push({ path, version: { hash: hashBytes(data), size: st.size, mtime: st.mtimeMs } })
          return
        }
      } catch (err) {
        this.ctx.log.debug({ path, err: describeError(err) }, 'file changed while reading')
      }
      this.result.unstable.push(path)
      return
    }
    this.toHash.push({ path, size: st.size, mtime: st.mtimeMs })
  }

  dir (path: RelPath, xattr: XattrMark): void {
    this.mark(path, xattr)
    // A file that became a directory.
    if (this.known.delete(path)) this.fileChanges.push({ path, version: undefined })
  }

  private mark (path: RelPath, xattr: XattrMark): void {
    const current = this.marks.get(path)
    this.marks.delete(path)
    if (xattr.kind === 'mark') {
      if (xattr.mark !== current?.mark || current?.local !== true) this.markChanges.push({ path, mark: xattr.mark })
    } else if (xattr.kind === 'none' && current != null) {
      if (current.local) {
        this.markChanges.push({ path, mark: undefined })
      } else {
        // A path marked while known only from peers now exists here: its
        // mark moves into the xattr so the two sources never disagree. The
        // write is synchronous, as the walk's reads are: the mark change then
        // lands in the same batch as the file's (an awaited write moved it to
        // a later one, model-check seed 70), and the table says "local" only
        // once the xattr holds the mark. A failed write leaves the mark known
        // from peers, logged; the next scan of the path tries again.
        try {
          writeMarkXattrSync(join(this.ctx.root, path), current.mark)
          this.markChanges.push({ path, mark: current.mark })
        } catch (err) {
          this.ctx.log.warn({ path, mark: current.mark, err: describeError(err), event: 'mark-xattr-failed' }, 'could not write the mark into the file\'s xattr; it stays a mark known from peers')
        }
      }
    } else if (xattr.kind === 'invalid') {
      // {#marksxattrs}
      this.ctx.log.warn({ path, value: xattr.value }, 'ignoring invalid mark xattr')
    }
  }

  /** Every directory under `top`, depth first: a loop over a stack, not recursion, so depth costs no call stack. */
  async walk (top: RelPath): Promise<void> {
    const stack = [top]
    for (let dir = stack.pop(); dir != null; dir = stack.pop()) {
      const subdirs = await this.walkOne(dir)
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as RelPath)
    }
  }

  /** Reads one directory; returns its subdirectories. */
  private async walkOne (dir: RelPath): Promise<RelPath[]> {
    this.ctx.signal?.throwIfAborted()
    this.ctx.onDirectory?.(dir)
    const abs = join(this.ctx.root, dir)
    let names: string[]
    try {
      names = await readdir(abs)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') return []
      throw err
    }
    const subdirs: RelPath[] = []
    for (const name of names) {
      const childAbs = join(abs, name)
      if (this.ctx.ignored(childAbs, name)) continue
      let path: RelPath
      try {
        path = joinPath(dir, name)
      } catch {
        this.ctx.log.warn({ dir, name }, 'skipping a name that is not a valid arena path')
        continue
      }
      const st = lstatSync(childAbs, { throwIfNoEntry: false })
      if (st?.isFile() === true || st?.isDirectory() === true) {
        const xattr = readMarkXattrSync(childAbs)
        if (xattr.kind === 'gone') continue
        if (st.isFile()) this.file(path, st, xattr)
        else {
          this.dir(path, xattr)
          subdirs.push(path)
        }
      }
      if (++this.sinceYield >= YIELD_EVERY) {
        this.sinceYield = 0
        await this.flush(false)
        await yieldToLoop()
      }
    }
    return subdirs
  }

  /** Hashes the larger changed files, two at a time (one per core). */
  async hashLarge (): Promise<void> {
    const queue = this.toHash.splice(0)
    const worker = async (): Promise<void> => {
      for (let f = queue.shift(); f != null; f = queue.shift()) {
        const abs = join(this.ctx.root, f.path)
        try {
          const { hash } = await hashFile(abs, { signal: this.ctx.signal, expectSize: f.size })
          const after = lstatSync(abs, { throwIfNoEntry: false })
          if (after?.isFile() === true && after.size === f.size && after.mtimeMs === f.mtime) {
            this.fileChanges.push({ path: f.path, version: { hash, size: f.size, mtime: f.mtime } })
          } else {
            this.result.unstable.push(f.path)
          }
        } catch (err) {
          if (this.ctx.signal?.aborted === true) throw err
          // Changed, vanished or unreadable while hashing: look again once it settles.
          this.ctx.log.debug({ path: f.path, err: describeError(err) }, 'file changed while hashing')
          this.result.unstable.push(f.path)
        }
        await this.flush(false)
      }
    }
    await Promise.all(Array.from({ length: HASH_CONCURRENCY }, worker))
  }

  /** Whatever is still known but was not seen is gone, with the marks that lived on it. */
  gone (): void {
    for (const p of this.known.keys()) this.fileChanges.push({ path: p, version: undefined })
    this.known.clear()
    for (const [p, m] of this.marks) if (m.local) this.markChanges.push({ path: p, mark: undefined })
    this.marks.clear()
  }

  async flush (force: boolean): Promise<void> {
    if (!force && this.fileChanges.length + this.markChanges.length < BATCH) return
    // Marks first: a file's job depends on its mark.
    const entries = await this.ctx.index.apply(this.fileChanges.splice(0), this.markChanges.splice(0))
    this.result.changed += entries.length
  }
}

export async function reconcile (ctx: ScanContext, path: RelPath): Promise<ScanResult> {
  const r = new Reconciler(ctx)
  await r.load(path)
  const abs = join(ctx.root, path)
  // A directory on the way swapped for a link (its old watch still reports
  // events): what lies behind the link is not in the arena, the path is gone.
  const top = hasRealParents(ctx.root, path) ? lstatSync(abs, { throwIfNoEntry: false }) : undefined
  const ignored = path !== '' && ctx.ignored(abs, path.slice(path.lastIndexOf('/') + 1))
  if (top?.isFile() === true && !ignored) {
    r.result.kind = 'file'
    r.file(path, top, readMarkXattrSync(abs))
  } else if (top?.isDirectory() === true && !ignored) {
    r.result.kind = 'dir'
    if (path !== '') r.dir(path, readMarkXattrSync(abs))
    await r.walk(path)
  }
  ctx.guard?.()
  r.gone()
  await r.flush(false)
  await r.hashLarge()
  await r.flush(true)
  return r.result
}

function hasRealParents (root: string, path: RelPath): boolean {
  try {
    return parentInRoot(root, path, { create: false }) != null
  } catch (err) {
    if (err instanceof PathEscapeError || err instanceof NotADirectoryError) return false
    throw err
  }
}
