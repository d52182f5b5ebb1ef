import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { chmod, copyFile, lstat, mkdir, open, rename, rm, rmdir, utimes } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import { isReservedName, type RelPath } from '../../datastore/types/path.js'
import type { Arena } from '../arena.js'
import { writeMarkXattr } from '../marks/xattr.js'
import { parentInRoot } from '../real/root-path.js'
import { FsError, FsNotFoundError } from './errors.js'
import type { HandleTable } from './handles.js'
import type { RemoteFetcher } from './remote.js'
import type { FsNode, FsTree } from './tree.js'

/**
 * Changes through the mount (issue 12, read-write). Every change lands in
 * the arena root, so the watcher indexes and publishes it like any local
 * change; nothing here writes the index but a deletion of peers' files
 * (below). A change to a file that is not real here first makes it real
 * (materialize: the verified blob copied into the root, marked own) and
 * then applies to the root file.
 *
 * Deleting a file that exists only on peers deletes it household-wide (a
 * Remove published through the index, RealIndex.removeRemote).
 * Refused: an arena without a root (EROFS), a rename across arenas or of
 * a directory only on peers (EXDEV: `mv` then copies and deletes), links
 * (EPERM). docs/decisions.md, "FUSE mount", has the reasons.
 *
 * Like operations.ts, this never touches the mount point: only roots and blobs.
 */
export interface WritesDeps {
  tree: FsTree
  fetcher: RemoteFetcher
  handles: HandleTable
}

type FileNode = FsNode & { kind: 'file' }

export class FsWrites {
  constructor (private readonly deps: WritesDeps) {}

  /** A new file (the kernel asks only after a lookup found nothing). */
  async create (path: string, mode: number, flags: number): Promise<number> {
    const { arena, rel } = await this.placeOf(path)
    const abs = this.inRoot(arena, rel, true)
    const fh = await open(abs, (flags & ~constants.O_NOFOLLOW) | constants.O_CREAT | constants.O_NOFOLLOW, mode & 0o7777)
    return this.deps.handles.add({ kind: 'real', arena, path: rel, fh })
  }

  /**
   * Opens a file for writing; a remote one is made real first, even when
   * truncated: the new version must descend from the one it replaces (an
   * unrelated new file would be a conflict on the other machines).
   */
  async openForWrite (n: FileNode, flags: number): Promise<number> {
    if (n.place === 'unreal') await this.materialize(n)
    const abs = this.inRoot(n.arena, n.path, false)
    const fh = await open(abs, (flags & ~constants.O_CREAT) | constants.O_NOFOLLOW)
    return this.deps.handles.add({ kind: 'real', arena: n.arena, path: n.path, fh })
  }

  async truncate (path: string, size: number): Promise<void> {
    const n = await this.file(path)
    const fh = await open(await this.real(n), constants.O_WRONLY | constants.O_NOFOLLOW)
    try {
      await fh.truncate(size)
    } finally {
      await fh.close()
    }
  }

  async chmod (path: string, mode: number): Promise<void> {
    await chmod(await this.realAny(path), mode & 0o7777)
  }

  /** undefined: leave that time as it is (UTIME_OMIT). */
  async utimens (path: string, atimeMs: number | undefined, mtimeMs: number | undefined): Promise<void> {
    const abs = await this.realAny(path)
    const st = await lstat(abs)
    await utimes(abs, (atimeMs ?? st.atimeMs) / 1000, (mtimeMs ?? st.mtimeMs) / 1000)
  }

  /**
   * A real file is deleted in the root (the watcher publishes the Remove);
   * a file only on peers is deleted household-wide: a Remove of every
   * version peers have of it, as `rm` in a synced folder does.
   */
  async unlink (path: string): Promise<void> {
    const n = await this.file(path)
    if (n.place === 'real') return await rm(this.inRoot(n.arena, n.path, false))
    if (n.arena.root == null) throw new FsError('NO_ROOT', 'EROFS', `${n.arena.name} has no root on this machine: its files cannot change here`)
    const hashes = [n.stat.chosen.hash, ...n.stat.peers.map((p) => p.version.hash)]
    const distinct = hashes.filter((h, i) => hashes.findIndex((o) => hashEquals(o, h)) === i)
    const removed = await n.arena.index.removeRemote(n.path, distinct)
    if (removed == null) throw new FsError('BECAME_REAL', 'EBUSY', `${path}: became real here meanwhile; try again`)
  }

  async mkdir (path: string, mode: number): Promise<void> {
    if (await this.deps.tree.resolve(path) != null) throw new FsError('EXISTS', 'EEXIST', `${path}: exists`)
    const { arena, rel } = await this.placeOf(path)
    await mkdir(this.inRoot(arena, rel, true), mode & 0o7777)
  }

  async rmdir (path: string): Promise<void> {
    const n = await this.deps.tree.resolve(path)
    if (n == null) throw new FsNotFoundError(path)
    if (n.kind !== 'dir') throw new FsError('NOT_A_DIRECTORY', 'ENOTDIR', `${path}: not a directory`)
    if (n.place === 'arenas' || n.path === '') throw new FsError('ARENA_DIR', 'EPERM', `${path}: an arena is removed from the config, not the mount`)
    // Peers' files inside count: the directory is not empty in the merged view.
    if ((await this.deps.tree.readdir(n)).length > 0) throw new FsError('NOT_EMPTY', 'ENOTEMPTY', `${path}: not empty`)
    // Only peers' (now deleted) files made it: it goes when they follow the deletions.
    if (!n.real) return
    await rmdir(this.inRoot(n.arena, n.path, false))
  }

  async rename (from: string, to: string): Promise<void> {
    const src = await this.deps.tree.resolve(from)
    if (src == null) throw new FsNotFoundError(from)
    if (src.kind === 'dir' && (src.place === 'arenas' || src.path === '')) throw new FsError('ARENA_DIR', 'EPERM', `${from}: an arena is renamed in the config, not the mount`)
    const dst = await this.placeOf(to)
    if (dst.arena !== src.arena) throw new FsError('CROSS_ARENA', 'EXDEV', `${from} -> ${to}: a rename across arenas is a copy and a delete`)
    let abs: string
    if (src.kind === 'file') abs = await this.real(src)
    else if (src.real) abs = this.inRoot(src.arena, src.path, false)
    // A directory of peers' files: `mv` then copies it (fetching each file) and deletes the original.
    else throw new FsError('NOT_REAL', 'EXDEV', `${from}: only on peers; moved as a copy and a delete`)
    await rename(abs, this.inRoot(dst.arena, dst.rel, true))
  }

  /** The root path of a file or directory, making a remote file real first. */
  private async realAny (path: string): Promise<string> {
    const n = await this.deps.tree.resolve(path)
    if (n == null) throw new FsNotFoundError(path)
    if (n.kind === 'file') return await this.real(n)
    if (n.place === 'arenas' || !n.real) throw notHere(path)
    return this.inRoot(n.arena, n.path, false)
  }

  private async real (n: FileNode): Promise<string> {
    if (n.place === 'unreal') await this.materialize(n)
    return this.inRoot(n.arena, n.path, false)
  }

  /**
   * Makes a remote file real: its verified content (fetched by range into
   * the cache) is copied next to its place, marked own (so it stays real:
   * a watch mark would unrealize it again) and renamed into place.
   */
  private async materialize (n: FileNode & { place: 'unreal' }): Promise<void> {
    const blob = await this.deps.fetcher.acquire(n.arena, n.path, n.stat)
    try {
      await blob.reader.fill()
      await blob.reader.verify()
      await this.install(n, async (tmp) => {
        await copyFile(blob.reader.path, tmp)
        await utimes(tmp, new Date(), new Date(n.stat.chosen.mtime))
      })
    } finally {
      await blob.release()
    }
    // The change about to be made must find this version in the index, or it would be a new file, not an edit of it.
    await indexed(n.arena, n.path, n.stat.chosen.hash, INDEX_WAIT_MS)
  }

  private async install (n: FileNode, fill: (tmp: string) => Promise<void>): Promise<void> {
    const abs = this.inRoot(n.arena, n.path, true)
    const tmp = join(dirname(abs), `.realize-${randomBytes(6).toString('hex')}.part`)
    const claim = n.arena.claimTemp(tmp)
    try {
      await fill(tmp)
      await writeMarkXattr(tmp, 'own')
      if (await lstat(abs).then(() => true, () => false)) throw new FsError('EXISTS', 'EEXIST', `${n.arena.name}/${n.path}: a real file appeared meanwhile`)
      await rename(tmp, abs)
      await n.arena.marks.set(n.path, 'own')
    } finally {
      claim.done()
      await rm(tmp, { force: true })
    }
  }

  private async file (path: string): Promise<FileNode> {
    const n = await this.deps.tree.resolve(path)
    if (n == null) throw new FsNotFoundError(path)
    if (n.kind !== 'file') throw new FsError('IS_A_DIRECTORY', 'EISDIR', `${path}: is a directory`)
    return n
  }

  /** The arena and path of a new name: its parent must be a directory of an arena. */
  private async placeOf (path: string): Promise<{ arena: Arena, rel: RelPath }> {
    const parent = await this.deps.tree.resolve(dirname(path))
    if (parent == null) throw new FsNotFoundError(dirname(path))
    if (parent.kind !== 'dir') throw new FsError('NOT_A_DIRECTORY', 'ENOTDIR', `${dirname(path)}: not a directory`)
    if (parent.place === 'arenas') throw new FsError('NOT_IN_ARENA', 'EPERM', `${path}: files live inside an arena's directory`)
    const name = basename(path)
    if (isReservedName(name)) throw new FsError('RESERVED_NAME', 'EINVAL', `${path}: names starting with .realize are reserved`)
    return { arena: parent.arena, rel: (parent.path === '' ? name : `${parent.path}/${name}`) as RelPath }
  }

  /** `path` in the arena root (directories on the way made when `create`); EROFS without a root. */
  private inRoot (arena: Arena, path: RelPath, create: boolean): string {
    if (arena.root == null) throw new FsError('NO_ROOT', 'EROFS', `${arena.name} has no root on this machine: its files cannot change here`)
    const dir = parentInRoot(arena.root, path, { create })
    if (dir == null) throw new FsNotFoundError(`${arena.name}/${path}`)
    return join(dir, basename(path))
  }
}

/** How long a write waits for the watcher to index a file just made real. */
const INDEX_WAIT_MS = 15_000

/** Resolves once the arena's index holds `hash` at `path` (the watcher indexed it). */
async function indexed (arena: Arena, path: RelPath, hash: Hash, ms: number): Promise<void> {
  const has = async (): Promise<boolean> => {
    const e = await arena.store.index.get(path)
    return e != null && hashEquals(e.hash, hash)
  }
  let on: (() => void) | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      on = () => { has().then((yes) => { if (yes) resolve() }, reject) }
      arena.index.on('history', on)
      timer = setTimeout(() => { reject(new FsError('NOT_INDEXED', 'EIO', `${arena.name}/${path}: made real, but not indexed within ${ms} ms; try again`)) }, ms)
      on()
    })
  } finally {
    if (on != null) arena.index.off('history', on)
    clearTimeout(timer)
  }
}

function notHere (path: string): FsError {
  return new FsError('NOT_REAL', 'EPERM', `${path}: a directory only on peers has no mode or times here; change them on a machine that has it`)
}
