import { encodeText } from '../../../datastore/keys.js'
import { indexTable } from '../../../datastore/tables/index-table.js'
import { marksTable } from '../../../datastore/tables/marks.js'
import { hashEquals, hashToHex } from '../../../datastore/types/hash.js'
import type { Arena } from '../../arena.js'
import type { IndexEntry } from '../../../datastore/tables/index-table.js'
import type { Mark } from '../../../datastore/types/mark.js'
import type { RelPath } from '../../../datastore/types/path.js'
import { PathNotFoundError } from './errors.js'
import { formatTarget } from './target.js'
import type { CallOptions, LsEntry } from '../api/model.js'
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
      return [real != null ? realFile(ctx, path, baseName(path), real, mark, remote) : remoteItem(ctx, path, remote as UnrealItem, mark)]
    }
  }
  const [{ mark: dirMark }, childMarks, real, remote] = await Promise.all([
    arena.marks.resolve(path),
    childMarksOf(arena, path, o),
    realChildren(arena, path, o),
    unreal.list(arena.name, path, o)
  ])
  if (path !== '' && real.files.length === 0 && real.dirs.size === 0 && remote.length === 0) {
    throw new PathNotFoundError(`${formatTarget(arena.name, path)}: no such file or directory`)
  }
  const prefix = path === '' ? '' : `${path}/`
  const out: LsEntry[] = []
  const remoteByName = new Map(remote.map((r) => [r.name, r]))
  for (const [name, entry] of real.files) {
    if (real.dirs.has(name)) continue
    const u = remoteByName.get(name)
    if (u != null) remoteByName.delete(name)
    out.push(realFile(ctx, `${prefix}${name}` as RelPath, name, entry, childMarks.get(name) ?? dirMark, u))
  }
  for (const [name, d] of real.dirs) {
    remoteByName.delete(name)
    out.push({ name, path: `${prefix}${name}`, type: 'dir', size: d.bytes, mtime: d.mtime, hash: null, mark: childMarks.get(name) ?? dirMark, location: 'real', cached: 1, peers: [], files: d.files })
  }
  for (const [name, u] of remoteByName) out.push(remoteItem(ctx, `${prefix}${name}` as RelPath, u, childMarks.get(name) ?? dirMark))
  // Plain code unit order: stable, locale-independent; files come from the
  // index nearly sorted already, which the sort's merge runs exploit.
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return out
}

interface RealDir { files: number, bytes: number, mtime: number }

/**
 * Direct children of `dir` in the real: files as they come (index order),
 * directories aggregated. A file and a directory of one name cannot both
 * be in the arena root; if the index says so, the directory wins.
 */
async function realChildren (arena: Arena, dir: RelPath, o: CallOptions): Promise<{ files: Array<[string, IndexEntry]>, dirs: Map<string, RealDir> }> {
  const files: Array<[string, IndexEntry]> = []
  const dirs = new Map<string, RealDir>()
  const skip = dir === '' ? 0 : dir.length + 1
  // Keys under one child directory are contiguous (they share `child/`), so
  // only the current one is looked up by name.
  let current: RealDir | undefined
  let currentName = ''
  for await (const batch of arena.store.store.scanBatches(indexTable, { prefix: dirPrefix(dir), signal: o.signal })) {
    for (const [path, entry] of batch) {
      const slash = path.indexOf('/', skip)
      if (slash < 0) {
        files.push([path.slice(skip), entry])
        continue
      }
      const name = path.slice(skip, slash)
      if (current == null || currentName !== name) {
        currentName = name
        current = dirs.get(name)
        if (current == null) {
          current = { files: 0, bytes: 0, mtime: 0 }
          dirs.set(name, current)
        }
      }
      current.files++
      current.bytes += entry.size
      if (entry.mtime > current.mtime) current.mtime = entry.mtime
    }
  }
  return { files, dirs }
}

/** Marks set on the direct children of `dir`. */
async function childMarksOf (arena: Arena, dir: RelPath, o: CallOptions): Promise<Map<string, Mark>> {
  const out = new Map<string, Mark>()
  const skip = dir === '' ? 0 : dir.length + 1
  for await (const batch of arena.store.store.scanBatches(marksTable, { prefix: dirPrefix(dir), signal: o.signal })) {
    for (const [path, entry] of batch) if (path.indexOf('/', skip) < 0) out.set(path.slice(skip), entry.mark)
  }
  return out
}

/** The encoded key prefix of everything below `dir` (as IndexTable.under builds it). */
function dirPrefix (dir: RelPath): string {
  return dir === '' ? '' : encodeText(`${dir}/`)
}

function baseName (path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

function realFile (ctx: ListingContext, path: RelPath, name: string, e: IndexEntry, mark: Mark, u: UnrealItem | undefined): LsEntry {
  const peers = u == null ? [] : u.peers.filter((p) => hashEquals(p.version.hash, e.hash)).map((p) => ctx.peerName(p.peerId))
  return { name, path, type: 'file', size: e.size, mtime: e.mtime, hash: hashToHex(e.hash), mark, location: 'real', cached: 1, peers, files: null }
}

function remoteItem (ctx: ListingContext, path: RelPath, u: UnrealItem, mark: Mark): LsEntry {
  const name = baseName(path)
  if (u.type === 'dir' || u.version == null) {
    const b = u.below
    if (b == null) return { name, path, type: 'dir', size: 0, mtime: 0, hash: null, mark, location: 'remote', cached: 0, peers: [], files: null }
    // Summed like a real directory; where its content is, like a file's.
    const location = u.complete ? 'cached' : u.cachedBytes > 0 ? 'partial' : 'remote'
    const cached = u.complete ? 1 : b.bytes === 0 ? 0 : Math.min(1, u.cachedBytes / b.bytes)
    return { name, path, type: 'dir', size: b.bytes, mtime: b.mtime, hash: null, mark, location, cached, peers: [], files: b.files }
  }
  const v = u.version
  const cached = v.size === 0 ? (u.complete ? 1 : 0) : Math.min(1, u.cachedBytes / v.size)
  const location = u.complete ? 'cached' : v.size > 0 && u.cachedBytes >= v.size ? 'unverified' : u.cachedBytes > 0 ? 'partial' : 'remote'
  const peers = u.peers.filter((p) => hashEquals(p.version.hash, v.hash)).map((p) => ctx.peerName(p.peerId))
  return { name, path, type: 'file', size: v.size, mtime: v.mtime, hash: hashToHex(v.hash), mark, location, cached, peers, files: null }
}
