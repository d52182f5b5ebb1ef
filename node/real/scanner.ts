import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Stats } from 'node:fs'
import { hashFile } from './hasher.js'
import { readMarkXattr, writeMarkXattr } from '../marks/xattr.js'
import { joinPath, type RelPath } from '../types/path.js'
import { describeError } from '../types/errors.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'
import type { MarkEntry } from '../../datastore/tables/marks.js'
import type { Logger } from '../log.js'
import type { FileChange, MarkChange, RealIndex } from './real-index.js'

/**
 * Reconciles part of an arena root with the index: the same code does the
 * catch-up at start (the whole root) and each live event (one path, which
 * may be a file, a new directory, or something gone).
 *
 *   disk (walk + lstat + xattr) ──┐
 *                                 ├─ compare (size+mtime, hash if different) ─> RealIndex.apply
 *   index + marks under path ─────┘
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
const STAT_CONCURRENCY = 64
const HASH_CONCURRENCY = 2

interface Seen { path: RelPath, stats: Stats, xattr: Awaited<ReturnType<typeof readMarkXattr>> }

export async function reconcile (ctx: ScanContext, path: RelPath): Promise<ScanResult> {
  const known = new Map<RelPath, IndexEntry>()
  const exact = path === '' ? undefined : await ctx.store.index.get(path)
  if (exact != null) known.set(path, exact)
  for await (const [p, e] of ctx.store.index.under(path, { signal: ctx.signal })) known.set(p, e)
  const marks = new Map<RelPath, MarkEntry>()
  const exactMark = path === '' ? undefined : await ctx.store.marks.getEntry(path)
  if (exactMark != null) marks.set(path, exactMark)
  for await (const [p, m] of ctx.store.marks.under(path, { signal: ctx.signal })) marks.set(p, m)

  const files: Seen[] = []
  const dirs: Seen[] = []
  const top = await lstatOrNull(join(ctx.root, path))
  let kind: ScanResult['kind'] = 'gone'
  if (top?.isFile() === true && !isIgnoredPath(ctx, path)) {
    kind = 'file'
    files.push({ path, stats: top, xattr: await readMarkXattr(join(ctx.root, path)) })
  } else if (top?.isDirectory() === true && !isIgnoredPath(ctx, path)) {
    kind = 'dir'
    if (path !== '') dirs.push({ path, stats: top, xattr: await readMarkXattr(join(ctx.root, path)) })
    await walk(ctx, path, files, dirs)
  }

  const result: ScanResult = { kind, files: files.length, changed: 0, unstable: [] }
  const fileChanges: FileChange[] = []
  const markChanges: MarkChange[] = []
  const flush = async (force: boolean): Promise<void> => {
    if (!force && fileChanges.length + markChanges.length < BATCH) return
    const entries = await ctx.index.apply(fileChanges.splice(0), markChanges.splice(0))
    result.changed += entries.length
  }

  // Marks first: a file's job depends on its mark.
  const onDisk = new Set<RelPath>()
  for (const s of [...dirs, ...files]) {
    onDisk.add(s.path)
    const current = marks.get(s.path)
    if (s.xattr.kind === 'mark') {
      if (s.xattr.mark !== current?.mark || current?.local !== true) markChanges.push({ path: s.path, mark: s.xattr.mark })
    } else if (s.xattr.kind === 'none' && current != null) {
      if (current.local) {
        markChanges.push({ path: s.path, mark: undefined })
      } else {
        // A path marked while known only from peers now exists here: its
        // mark moves into the xattr so the two sources never disagree.
        await writeMarkXattr(join(ctx.root, s.path), current.mark).catch(() => {})
        markChanges.push({ path: s.path, mark: current.mark })
      }
    } else if (s.xattr.kind === 'invalid') {
      ctx.log.warn({ path: s.path, value: s.xattr.value }, 'ignoring invalid mark xattr {#marksxattrs}')
    }
  }
  // A mark that lived on something here goes with it; a mark of a path known
  // only from peers stays.
  for (const [p, m] of marks) {
    if (!onDisk.has(p) && m.local) markChanges.push({ path: p, mark: undefined })
  }

  const toHash: Seen[] = []
  for (const s of files) {
    const old = known.get(s.path)
    if (old == null || old.size !== s.stats.size || old.mtime !== s.stats.mtimeMs) toHash.push(s)
  }
  const dirPaths = new Set(dirs.map((d) => d.path))
  for (const p of known.keys()) {
    if (!onDisk.has(p) || dirPaths.has(p)) fileChanges.push({ path: p, version: undefined })
  }
  await flush(false)

  await forEachConcurrent(toHash, HASH_CONCURRENCY, async (s) => {
    const abs = join(ctx.root, s.path)
    try {
      const { hash } = await hashFile(abs, { signal: ctx.signal, expectSize: s.stats.size })
      const after = await lstatOrNull(abs)
      if (after == null || after.size !== s.stats.size || after.mtimeMs !== s.stats.mtimeMs || !after.isFile()) {
        result.unstable.push(s.path)
        return
      }
      fileChanges.push({ path: s.path, version: { hash, size: s.stats.size, mtime: s.stats.mtimeMs } })
    } catch (err) {
      if (ctx.signal?.aborted === true) throw err
      // Changed, vanished or unreadable while hashing: look again once it settles.
      ctx.log.debug({ path: s.path, err: describeError(err) }, 'file changed while hashing')
      result.unstable.push(s.path)
    }
    await flush(false)
  })
  await flush(true)
  return result
}

function isIgnoredPath (ctx: ScanContext, path: RelPath): boolean {
  if (path === '') return false
  const name = path.slice(path.lastIndexOf('/') + 1)
  return ctx.ignored(join(ctx.root, path), name)
}

async function walk (ctx: ScanContext, dir: RelPath, files: Seen[], dirs: Seen[]): Promise<void> {
  ctx.signal?.throwIfAborted()
  ctx.onDirectory?.(dir)
  const abs = join(ctx.root, dir)
  let entries
  try {
    entries = await readdir(abs, { withFileTypes: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return
    throw err
  }
  const candidates = entries.filter((e) => (e.isFile() || e.isDirectory()) && !ctx.ignored(join(abs, e.name), e.name))
  const subdirs: RelPath[] = []
  await forEachConcurrent(candidates, STAT_CONCURRENCY, async (e) => {
    let path: RelPath
    try {
      path = joinPath(dir, e.name)
    } catch {
      ctx.log.warn({ dir, name: e.name }, 'skipping a name that is not a valid arena path')
      return
    }
    const childAbs = join(abs, e.name)
    const [stats, xattr] = await Promise.all([lstatOrNull(childAbs), readMarkXattr(childAbs)])
    if (stats == null || xattr.kind === 'gone') return
    if (stats.isFile()) files.push({ path, stats, xattr })
    else if (stats.isDirectory()) {
      dirs.push({ path, stats, xattr })
      subdirs.push(path)
    }
  })
  for (const d of subdirs) await walk(ctx, d, files, dirs)
}

async function lstatOrNull (abs: string): Promise<Stats | null> {
  try {
    return await lstat(abs)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw err
  }
}

async function forEachConcurrent<T> (items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await fn(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
