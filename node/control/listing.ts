import { hashEquals, hashToHex } from '../types/hash.js'
import type { Arena } from '../arena.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'
import type { Mark } from '../types/mark.js'
import type { RelPath } from '../types/path.js'
import { NotFoundError } from './errors.js'
import { formatTarget } from './target.js'
import type { CallOptions, LsEntry } from './model.js'
import type { UnrealItem, UnrealView } from './sources.js'

/**
 * The merged listing behind `ls` and the TUI's file browser: the real
 * (index of the arena root) and the unreal (what peers have), one entry per
 * name, sorted by name. A directory is listed with one range scan of the
 * index below it; deeper entries are folded into their top directory.
 */
export interface ListingContext {
  arena: Arena
  unreal: UnrealView
  /** The household name of a PeerId, or the id itself for a stranger. */
  peerName: (peerId: string) => string
}

export async function listPath (ctx: ListingContext, path: RelPath, o: CallOptions = {}): Promise<LsEntry[]> {
  const { arena, unreal } = ctx
  if (path !== '') {
    const [real, remote] = await Promise.all([arena.store.index.get(path), unreal.lookup(arena.name, path, o)])
    if (real != null || remote?.type === 'file') {
      const { mark } = await arena.marks.resolve(path)
      return [real != null ? realFile(ctx, path, real, mark, remote) : remoteItem(ctx, path, remote as UnrealItem, mark)]
    }
  }
  const [{ mark: dirMark }, childMarks, real, remote] = await Promise.all([
    arena.marks.resolve(path),
    childMarksOf(arena, path, o),
    realChildren(arena, path, o),
    unreal.list(arena.name, path, o)
  ])
  if (path !== '' && real.size === 0 && remote.length === 0) {
    throw new NotFoundError(`${formatTarget(arena.name, path)}: no such file or directory`)
  }
  const prefix = path === '' ? '' : `${path}/`
  const out: LsEntry[] = []
  const remoteByName = new Map(remote.map((r) => [r.name, r]))
  for (const [name, r] of real) {
    const childPath = `${prefix}${name}` as RelPath
    const mark = childMarks.get(name) ?? dirMark
    const u = remoteByName.get(name)
    remoteByName.delete(name)
    if (r.entry != null) out.push(realFile(ctx, childPath, r.entry, mark, u))
    else out.push({ name, path: childPath, type: 'dir', size: r.bytes, mtime: r.mtime, hash: null, mark, location: 'real', cached: 1, peers: [], files: r.files })
  }
  for (const [name, u] of remoteByName) out.push(remoteItem(ctx, `${prefix}${name}` as RelPath, u, childMarks.get(name) ?? dirMark))
  // Plain code unit order: stable, locale-independent, and cheap for 100,000 names.
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return out
}

interface RealChild {
  /** Set for a file. */
  entry?: IndexEntry
  files: number
  bytes: number
  mtime: number
}

/** Direct children of `dir` in the real, directories aggregated. */
async function realChildren (arena: Arena, dir: RelPath, o: CallOptions): Promise<Map<string, RealChild>> {
  const out = new Map<string, RealChild>()
  const skip = dir === '' ? 0 : dir.length + 1
  // Keys under one child directory are contiguous (they share `child/`), so
  // only the current one is looked up by name.
  let current: RealChild | undefined
  let currentName = ''
  for await (const [path, entry] of arena.store.index.under(dir, o)) {
    const slash = path.indexOf('/', skip)
    if (slash < 0) {
      out.set(path.slice(skip), { entry, files: 1, bytes: entry.size, mtime: entry.mtime })
      continue
    }
    const name = path.slice(skip, slash)
    if (current == null || currentName !== name) {
      currentName = name
      current = out.get(name)
      if (current == null || current.entry != null) {
        current = { files: 0, bytes: 0, mtime: 0 }
        out.set(name, current)
      }
    }
    current.files++
    current.bytes += entry.size
    if (entry.mtime > current.mtime) current.mtime = entry.mtime
  }
  return out
}

/** Marks set on the direct children of `dir`. */
async function childMarksOf (arena: Arena, dir: RelPath, o: CallOptions): Promise<Map<string, Mark>> {
  const out = new Map<string, Mark>()
  const skip = dir === '' ? 0 : dir.length + 1
  for await (const [path, entry] of arena.store.marks.under(dir, o)) {
    if (path.indexOf('/', skip) < 0) out.set(path.slice(skip), entry.mark)
  }
  return out
}

function baseName (path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

function realFile (ctx: ListingContext, path: RelPath, e: IndexEntry, mark: Mark, u: UnrealItem | undefined): LsEntry {
  const peers = (u?.peers ?? []).filter((p) => hashEquals(p.version.hash, e.hash)).map((p) => ctx.peerName(p.peerId))
  return { name: baseName(path), path, type: 'file', size: e.size, mtime: e.mtime, hash: hashToHex(e.hash), mark, location: 'real', cached: 1, peers, files: null }
}

function remoteItem (ctx: ListingContext, path: RelPath, u: UnrealItem, mark: Mark): LsEntry {
  const name = baseName(path)
  if (u.type === 'dir' || u.version == null) {
    return { name, path, type: 'dir', size: 0, mtime: 0, hash: null, mark, location: u.complete ? 'cached' : 'remote', cached: u.complete ? 1 : 0, peers: [], files: null }
  }
  const v = u.version
  const cached = v.size === 0 ? (u.complete ? 1 : 0) : Math.min(1, u.cachedBytes / v.size)
  const location = u.complete ? 'cached' : u.cachedBytes > 0 ? 'partial' : 'remote'
  const peers = u.peers.filter((p) => hashEquals(p.version.hash, v.hash)).map((p) => ctx.peerName(p.peerId))
  return { name, path, type: 'file', size: v.size, mtime: v.mtime, hash: hashToHex(v.hash), mark, location, cached, peers, files: null }
}
