import { lstat, readdir } from 'node:fs/promises'
import { encodeText } from '../../datastore/keys.js'
import { indexTable, type IndexEntry } from '../../datastore/tables/index-table.js'
import { tombstonesTable } from '../../datastore/tables/tombstones.js'
import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import { hasReservedName, isReservedName, type RelPath } from '../../datastore/types/path.js'
import type { Arena } from '../arena.js'
import { pathInRoot } from '../real/root-path.js'
import type { UnrealFileStat, UnrealTree } from '../unreal/unreal-tree.js'

/**
 * The mount's namespace: one directory per arena (an arena named
 * `docs/office` is `docs/office/`), and in each the merged view `ls` shows
 * (node/control/listing.ts): the real (the arena's index; bytes from the
 * root) over the unreal (peers' files from the unreal tree). A real file
 * hides a remote one of the same name, a real directory hides both.
 *
 * Paths here are mount paths as the binding gives them (`/arena/dir/file`).
 */
export type FsNode =
  /** The mount root or a directory made of arena name prefixes (`docs` of `docs/office`). */
  | { kind: 'dir', place: 'arenas', prefix: string }
  | { kind: 'dir', place: 'arena', arena: Arena, path: RelPath, real: boolean }
  /** `entry` is missing while the watcher has not indexed a file made through the mount yet. */
  | { kind: 'file', place: 'real', arena: Arena, path: RelPath, entry?: IndexEntry }
  | { kind: 'file', place: 'unreal', arena: Arena, path: RelPath, stat: UnrealFileStat }

export interface FsTreeDeps {
  arenas: readonly Arena[]
  trees: ReadonlyMap<string, UnrealTree>
}

export class FsTree {
  constructor (private readonly deps: FsTreeDeps) {}

  get arenas (): readonly Arena[] { return this.deps.arenas }

  tree (arena: Arena): UnrealTree | undefined {
    return this.deps.trees.get(arena.name)
  }

  async resolve (mountPath: string): Promise<FsNode | undefined> {
    const rel = mountPath.replace(/^\/+/, '')
    for (const a of this.deps.arenas) {
      if (rel === a.name) return { kind: 'dir', place: 'arena', arena: a, path: '' as RelPath, real: a.root != null }
      if (rel.startsWith(`${a.name}/`)) return await this.resolveIn(a, rel.slice(a.name.length + 1) as RelPath)
    }
    if (rel === '' || this.deps.arenas.some((a) => a.name.startsWith(`${rel}/`))) return { kind: 'dir', place: 'arenas', prefix: rel }
    return undefined
  }

  private async resolveIn (arena: Arena, path: RelPath): Promise<FsNode | undefined> {
    if (hasReservedName(path)) return undefined
    // The root first: what was just written through the mount shows before the watcher indexed it.
    const abs = arena.root == null ? undefined : pathInRoot(arena.root, path)
    const st = abs == null ? undefined : await lstat(abs).catch(() => undefined)
    if (st?.isFile() === true) return { kind: 'file', place: 'real', arena, path, entry: await arena.store.index.get(path) }
    if (st?.isDirectory() === true) return { kind: 'dir', place: 'arena', arena, path, real: true }
    if (abs != null && st == null) return await this.unrealOrEmptied(arena, path)
    const entry = await arena.store.index.get(path)
    if (entry != null) return { kind: 'file', place: 'real', arena, path, entry }
    if (await this.hasRealChildren(arena, path)) return { kind: 'dir', place: 'arena', arena, path, real: true }
    return await this.unrealOrEmptied(arena, path)
  }

  /**
   * A directory whose files this node deleted a moment ago still answers
   * lookups (not listings) for a while after its peers followed and the
   * unreal tree dropped it: the kernel looks it up before the rmdir that
   * ends `rm -r` or `mv`, which would otherwise fail with ENOENT.
   */
  private async unrealOrEmptied (arena: Arena, path: RelPath): Promise<FsNode | undefined> {
    const n = await this.unreal(arena, path)
    if (n != null) return n
    const since = Date.now() - EMPTIED_LOOKUP_MS
    for await (const [, t] of arena.store.store.scan(tombstonesTable, { prefix: encodeText(`${path}/`) })) {
      if (t.deletedAt >= since) return { kind: 'dir', place: 'arena', arena, path, real: false }
    }
    return undefined
  }

  private async unreal (arena: Arena, path: RelPath): Promise<FsNode | undefined> {
    const s = await this.tree(arena)?.statPath(path)
    if (s == null) return undefined
    if (s.kind === 'file' && await this.goneHere(arena, path, s.chosen.hash)) return undefined
    return s.kind === 'file' ? { kind: 'file', place: 'unreal', arena, path, stat: s } : { kind: 'dir', place: 'arena', arena, path, real: false }
  }

  /**
   * A peer's version this node deleted: its tombstone names it (a `rm`
   * through the mount, a local delete the peers have not followed yet).
   * (Not "indexed but gone from the root": an unrealize passes through
   * that state too, and its file must stay readable.)
   */
  private async goneHere (arena: Arena, path: RelPath, hash: Hash): Promise<boolean> {
    return deleted(await arena.store.tombstones.get(path), hash)
  }

  /** Names in `dir` with a tombstone at or below them (one range scan; usually none). */
  private async tombstoned (arena: Arena, dir: RelPath): Promise<Set<string>> {
    const out = new Set<string>()
    const skip = dir === '' ? 0 : dir.length + 1
    for await (const p of arena.store.store.scanKeys(tombstonesTable, { prefix: dir === '' ? '' : encodeText(`${dir}/`) })) {
      const slash = p.indexOf('/', skip)
      out.add(slash < 0 ? p.slice(skip) : p.slice(skip, slash))
    }
    return out
  }

  /**
   * A directory only on peers whose every file this node deleted (a `rm -r`
   * the peers have not followed yet): left out of listings. A lookup still
   * finds it (the kernel looks it up before the rmdir that ends `rm -r`);
   * it is gone for good when the peers follow.
   */
  private async emptied (n: FsNode & { kind: 'dir', place: 'arena' }): Promise<boolean> {
    if ((await this.tombstoned(n.arena, n.path)).size === 0) return false
    return (await this.readdir(n)).length === 0
  }

  private async hasRealChildren (arena: Arena, dir: RelPath): Promise<boolean> {
    for await (const _ of arena.store.store.scanKeys(indexTable, { prefix: encodeText(`${dir}/`) })) return true
    return false
  }

  /** Names in a directory, sorted by code unit (as `ls` sorts them). */
  async readdir (node: FsNode & { kind: 'dir' }): Promise<string[]> {
    const names = new Set<string>()
    if (node.place === 'arenas') {
      const skip = node.prefix === '' ? 0 : node.prefix.length + 1
      for (const a of this.deps.arenas) {
        if (skip > 0 && !a.name.startsWith(`${node.prefix}/`)) continue
        names.add(a.name.slice(skip).split('/')[0] as string)
      }
    } else {
      const { arena, path } = node
      const skip = path === '' ? 0 : path.length + 1
      const abs = arena.root == null ? undefined : path === '' ? arena.root : pathInRoot(arena.root, path)
      const listed = abs == null ? undefined : await readdir(abs, { withFileTypes: true }).catch(() => undefined)
      // The root as it is now (what the mount just wrote shows at once); the index when the root cannot be read.
      if (listed != null) {
        for (const e of listed) if ((e.isFile() || e.isDirectory()) && !isReservedName(e.name)) names.add(e.name)
      } else for await (const batch of arena.store.store.scanBatches(indexTable, { prefix: path === '' ? '' : encodeText(`${path}/`) })) {
        for (const [p] of batch) {
          const slash = p.indexOf('/', skip)
          names.add(slash < 0 ? p.slice(skip) : p.slice(skip, slash))
        }
      }
      const tree = this.tree(arena)
      const d = await tree?.lookupPath(path)
      if (tree != null && d != null && d.kind === 'dir') {
        const real = new Set(names)
        const buried = await this.tombstoned(arena, path)
        for (const e of await tree.readdir(d.inode)) {
          if (real.has(e.name)) continue
          // A peer's file this node deleted (its peers have not followed yet) is gone here already.
          const p = (path === '' ? e.name : `${path}/${e.name}`) as RelPath
          if (buried.has(e.name)) {
            const child = await this.unreal(arena, p)
            if (child == null || (child.kind === 'dir' && child.place === 'arena' && await this.emptied(child))) continue
          }
          names.add(e.name)
        }
      }
    }
    return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /**
   * The real file's lstat, when it is still a plain file inside the root
   * (no link on the way): size and mode as the root has them now, which
   * may be ahead of the index.
   */
  async realStat (arena: Arena, path: RelPath): Promise<{ abs: string, size: number, mtimeMs: number, mode: number, uid: number, gid: number } | undefined> {
    if (arena.root == null) return undefined
    const abs = pathInRoot(arena.root, path)
    if (abs == null) return undefined
    const st = await lstat(abs).catch(() => undefined)
    if (st == null || !st.isFile()) return undefined
    return { abs, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid: st.uid, gid: st.gid }
  }
}

/** How long a directory emptied by deletions here still answers lookups. */
const EMPTIED_LOOKUP_MS = 60_000

function deleted (tombstone: readonly Hash[] | undefined, hash: Hash): boolean {
  return tombstone?.some((h) => hashEquals(h, hash)) === true
}
