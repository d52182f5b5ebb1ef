import { constants } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import { hashEquals, hashToHex } from '../../datastore/types/hash.js'
import { isMark } from '../../datastore/types/mark.js'

import type { BlobStore } from '../blobs/blob-store.js'
import { isSameOrInside } from '../config/paths.js'
import { MARK_XATTR } from '../marks/xattr.js'
import { FsError, FsNotFoundError, RemoteReadError } from './errors.js'
import { FsWrites } from './writes.js'
import { closeOpenFile, HandleTable, type OpenFile } from './handles.js'
import type { RemoteBlob, RemoteFetcher } from './remote.js'
import type { FsNode, FsTree } from './tree.js'

/**
 * What the mount does, in the mount's own terms (paths, stats, bytes);
 * binding.ts adapts it to the FUSE binding's callbacks. Only this layer
 * knows the cache and the fetcher.
 *
 * THE NODE NEVER DOES I/O ON ITS OWN MOUNT: every file touched here is in
 * an arena root or the blob directory, never under the mount point (a read
 * of the mount from inside the process that serves it waits for itself).
 * Config validation keeps the mount point out of every arena root and the
 * data directory for the same reason (config/validate.ts).
 */

export const STATUS_XATTR = 'user.realize.status'
export const VERSION_XATTR = 'user.realize.version'
export const XATTRS = [MARK_XATTR, STATUS_XATTR, VERSION_XATTR] as const

export interface Attr {
  mode: number
  size: number
  mtimeMs: number
  uid: number
  gid: number
  nlink: number
  /** 512-byte blocks held here: all of a real file, what the cache holds of a remote one (so `du` shows local use). */
  blocks: number
}

export interface OperationsDeps {
  tree: FsTree
  blobs: ReadonlyMap<string, BlobStore>
  fetcher: RemoteFetcher
  /** Blob cache capacity and use, for statfs. */
  cache: () => { capacity: number, used: number }
}

const S_IFDIR = 0o040000
const S_IFREG = 0o100000

export class FsOperations {
  readonly handles = new HandleTable()
  /** Changes: create, rename, unlink, mkdir... (writes.ts). */
  readonly writes: FsWrites
  private readonly started = Date.now()
  private readonly uid = process.getuid?.() ?? 0
  private readonly gid = process.getgid?.() ?? 0

  constructor (private readonly deps: OperationsDeps) {
    this.writes = new FsWrites({ tree: deps.tree, fetcher: deps.fetcher, handles: this.handles })
  }

  private async node (path: string): Promise<FsNode> {
    const n = await this.deps.tree.resolve(path)
    if (n == null) throw new FsNotFoundError(path)
    return n
  }

  async getattr (path: string): Promise<Attr> {
    const n = await this.node(path)
    // Writable where the arena has a root here (a remote file becomes real when written).
    const w = n.kind === 'dir' && n.place === 'arenas' ? 0 : n.arena.root == null ? 0 : 0o200
    if (n.kind === 'dir') return { mode: S_IFDIR | 0o555 | w, size: 4096, mtimeMs: this.started, uid: this.uid, gid: this.gid, nlink: 2, blocks: 8 }
    if (n.place === 'real') {
      const st = await this.deps.tree.realStat(n.arena, n.path)
      if (st != null) return { mode: S_IFREG | (st.mode & 0o7777), size: st.size, mtimeMs: st.mtimeMs, uid: st.uid, gid: st.gid, nlink: 1, blocks: Math.ceil(st.size / 512) }
      if (n.entry == null) throw new FsNotFoundError(path)
      return { mode: S_IFREG | 0o444, size: n.entry.size, mtimeMs: n.entry.mtime, uid: this.uid, gid: this.gid, nlink: 1, blocks: Math.ceil(n.entry.size / 512) }
    }
    const v = n.stat.chosen
    const held = await this.cachedBytes(n)
    return { mode: S_IFREG | 0o444 | w, size: v.size, mtimeMs: v.mtime, uid: this.uid, gid: this.gid, nlink: 1, blocks: Math.ceil(held / 512) }
  }

  async readdir (path: string): Promise<string[]> {
    const n = await this.node(path)
    if (n.kind !== 'dir') throw new FsError('NOT_A_DIRECTORY', 'ENOTDIR', `${path}: not a directory`)
    return await this.deps.tree.readdir(n)
  }

  async open (path: string, flags: number): Promise<number> {
    const n = await this.node(path)
    if (n.kind === 'dir') throw new FsError('IS_A_DIRECTORY', 'EISDIR', `${path}: is a directory`)
    if ((flags & 3) !== constants.O_RDONLY || (flags & constants.O_TRUNC) !== 0) return await this.writes.openForWrite(n, flags)
    if (n.place === 'real') {
      const { arena } = n
      const st = await this.deps.tree.realStat(arena, n.path)
      if (st == null || arena.root == null) throw new FsNotFoundError(`${path} (gone from the arena root since it was indexed)`)
      const fh = await open(st.abs, constants.O_RDONLY | constants.O_NOFOLLOW)
      // The index never holds links, but the root could have changed since: never read outside it.
      if (!isSameOrInside(await realpath(st.abs), await realpath(arena.root))) {
        await fh.close()
        throw new FsNotFoundError(`${path} (resolves outside the arena root)`)
      }
      return this.handles.add({ kind: 'real', arena, path: n.path, fh })
    }
    return this.handles.add({ kind: 'remote', arena: n.arena, path: n.path, stat: n.stat })
  }

  async read (fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
    const f = this.handles.get(fd)
    if (f == null) throw new FsError('BAD_HANDLE', 'EBADF', `no open file ${fd}`)
    if (f.kind === 'real') return (await f.fh.read(buffer, 0, length, position)).bytesRead
    if (position >= f.stat.chosen.size) return 0
    try {
      const blob = await (f.blob ??= this.remoteBlob(f))
      return await this.deps.fetcher.read(blob, f.arena, f.path, f.stat, buffer, length, position)
    } catch (err) {
      // The version went away while the file was open (deleted or replaced on its peers): the bytes are unreadable, not the name.
      if (err instanceof FsNotFoundError) throw new RemoteReadError(`${f.arena.name}/${f.path}: ${err.message}`, { cause: err })
      throw err
    }
  }

  private remoteBlob (f: OpenFile & { kind: 'remote' }): Promise<RemoteBlob> {
    const p = this.deps.fetcher.acquire(f.arena, f.path, f.stat)
    // A failed open is not remembered: the next read tries again.
    p.catch(() => { if (f.blob === p) f.blob = undefined })
    return p
  }

  async create (path: string, mode: number): Promise<number> {
    return await this.writes.create(path, mode, constants.O_RDWR)
  }

  async write (fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
    const f = this.handles.get(fd)
    if (f?.kind !== 'real') throw new FsError('BAD_HANDLE', 'EBADF', `no file ${fd} open for writing`)
    return (await f.fh.write(buffer, 0, length, position)).bytesWritten
  }

  async ftruncate (fd: number, size: number): Promise<void> {
    const f = this.handles.get(fd)
    if (f?.kind !== 'real') throw new FsError('BAD_HANDLE', 'EBADF', `no file ${fd} open for writing`)
    await f.fh.truncate(size)
  }

  async truncate (path: string, size: number): Promise<void> {
    await this.writes.truncate(path, size)
  }

  /** Succeeds only when nothing changes: the owner shown, or -1 (keep). */
  async chown (path: string, uid: number, gid: number): Promise<void> {
    const a = await this.getattr(path)
    const same = (want: number, is: number): boolean => want === -1 || want === 0xffffffff || want === is
    if (!same(uid, a.uid) || !same(gid, a.gid)) throw new FsError('NO_CHOWN', 'EPERM', `${path}: owners are the arena root's; chown it there`)
  }

  async fsync (fd: number): Promise<void> {
    const f = this.handles.get(fd)
    if (f?.kind === 'real') await f.fh.datasync()
  }

  async release (fd: number): Promise<void> {
    const f = this.handles.take(fd)
    if (f != null) await closeOpenFile(f)
  }

  statfs (): { bsize: number, frsize: number, blocks: number, bfree: number, bavail: number, files: number, ffree: number, favail: number, namemax: number } {
    const { capacity, used } = this.deps.cache()
    const blocks = Math.floor(capacity / 4096)
    const free = Math.max(0, Math.floor((capacity - used) / 4096))
    return { bsize: 4096, frsize: 4096, blocks, bfree: free, bavail: free, files: 0, ffree: 0, favail: 0, namemax: 255 }
  }

  // --- xattrs: marks and state {#marksxattrs} ---

  async listxattr (path: string): Promise<string[]> {
    const n = await this.node(path)
    if (n.kind === 'dir') return n.place === 'arena' ? [MARK_XATTR] : []
    return [...XATTRS]
  }

  /** The value, or undefined (ENODATA) when the path has no such attribute. */
  async getxattr (path: string, name: string): Promise<string | undefined> {
    const n = await this.node(path)
    if (n.kind === 'dir' && n.place === 'arenas') return undefined
    const arena = n.arena
    switch (name) {
      case MARK_XATTR: return (await arena.marks.resolve(n.path)).mark
      case STATUS_XATTR: return n.kind === 'file' ? await this.status(n) : undefined
      case VERSION_XATTR: return n.kind !== 'file' ? undefined : n.place === 'real' ? (n.entry == null ? undefined : hashToHex(n.entry.hash)) : hashToHex(n.stat.chosen.hash)
      default: return undefined
    }
  }

  /** Sets the mark as `realize-node mark` does (marks.ts: the xattr in the root, else the table). */
  async setxattr (path: string, name: string, value: Buffer): Promise<void> {
    if (name !== MARK_XATTR) throw new FsError('XATTR_NOT_SUPPORTED', 'ENOTSUP', `${path}: only ${MARK_XATTR} can be set on the mount`)
    const mark = value.toString('utf8').trim()
    if (!isMark(mark)) throw new FsError('INVALID_MARK', 'EINVAL', `${path}: ${JSON.stringify(mark)} is not a mark (own, keep or watch)`)
    await this.setMark(path, mark)
  }

  async removexattr (path: string, name: string): Promise<void> {
    if (name !== MARK_XATTR) throw new FsError('XATTR_NOT_SUPPORTED', 'ENOTSUP', `${path}: only ${MARK_XATTR} can be removed on the mount`)
    await this.setMark(path, undefined)
  }

  private async setMark (path: string, mark: 'own' | 'keep' | 'watch' | undefined): Promise<void> {
    const n = await this.node(path)
    if (n.kind === 'dir' && n.place === 'arenas') throw new FsError('XATTR_NOT_SUPPORTED', 'ENOTSUP', `${path}: not in an arena`)
    // The arena's own mark lives in the config: `realize-node mark` changes it, not the mount.
    if (n.path === '') throw new FsError('XATTR_NOT_SUPPORTED', 'ENOTSUP', `${path}: an arena's own mark is set with realize-node mark ${n.arena.name}:`)
    await n.arena.marks.set(n.path, mark)
  }

  private async status (n: FsNode & { kind: 'file' }): Promise<string> {
    if (n.place === 'real') return 'own'
    const p = await this.deps.fetcher.progress(n.arena, n.stat)
    if (p != null) return `downloading ${p.total === 0 ? 100 : Math.floor(100 * p.bytes / p.total)}%`
    const held = await this.cachedBytes(n)
    return held >= n.stat.chosen.size && await this.verified(n) ? 'cached' : 'remote'
  }

  private async cachedBytes (n: FsNode & { kind: 'file', place: 'unreal' }): Promise<number> {
    const b = n.stat.blobId == null ? undefined : await this.deps.blobs.get(n.arena.name)?.get(n.stat.blobId)
    if (b == null || !hashEquals(b.hash, n.stat.chosen.hash)) return 0
    return b.verified ? b.size : b.written.bytes
  }

  private async verified (n: FsNode & { kind: 'file', place: 'unreal' }): Promise<boolean> {
    const b = n.stat.blobId == null ? undefined : await this.deps.blobs.get(n.arena.name)?.get(n.stat.blobId)
    return b != null && b.verified && hashEquals(b.hash, n.stat.chosen.hash)
  }

  /** Closes every open file (the mount is gone). */
  async close (): Promise<void> {
    for (const f of this.handles.drain()) await closeOpenFile(f).catch(() => {})
  }
}

