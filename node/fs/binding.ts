import Fuse from 'fuse-napi'
import { describeError } from '../../datastore/types/errors.js'
import type { Logger } from '../log.js'
import { FsError, ReadOnlyError, type Errno } from './errors.js'
import type { Attr, FsOperations } from './operations.js'

/**
 * The FUSE binding's side (fuse-napi, libfuse 3 high-level API; the choice
 * and its limits: docs/decisions.md, "FUSE mount"): callbacks in, errno
 * out. Every callback resolves: an operation that throws answers with its
 * FsError's errno, anything unexpected with EIO (and a log line), so no
 * kernel request is left waiting on us.
 */

const ERRNO: Record<string, number> = {
  ENOENT: Fuse.ENOENT,
  EIO: Fuse.EIO,
  EROFS: Fuse.EROFS,
  EISDIR: Fuse.EISDIR,
  ENOTDIR: Fuse.ENOTDIR,
  ENODATA: Fuse.ENODATA,
  EINVAL: Fuse.EINVAL,
  ENOTSUP: Fuse.ENOTSUP,
  EBADF: Fuse.EBADF,
  EACCES: Fuse.EACCES,
  ELOOP: Fuse.ELOOP
}

function errnoOf (err: unknown): { errno: number, expected: boolean } {
  if (err instanceof FsError) return { errno: ERRNO[err.errno satisfies Errno] ?? Fuse.EIO, expected: err.errno !== 'EIO' }
  // A file of the root that vanished or turned into a link between lookup and open.
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return { errno: ERRNO[code] ?? Fuse.ENOENT, expected: true }
  return { errno: Fuse.EIO, expected: false }
}

function toStat (a: Attr): Fuse.Stats {
  const t = new Date(a.mtimeMs)
  return { mode: a.mode, size: a.size, uid: a.uid, gid: a.gid, nlink: a.nlink, blocks: a.blocks, blksize: 4096, mtime: t, atime: t, ctime: t }
}

export function fuseOperations (ops: FsOperations, log: Logger): Fuse.OPERATIONS {
  /** Runs `fn` and answers the kernel exactly once. */
  const answer = <T>(what: string, path: string | null, fn: () => Promise<T>, done: (v: T) => void, fail: (errno: number) => void): void => {
    fn().then(done, (err) => {
      const { errno, expected } = errnoOf(err)
      // EIO is the reader's only clue: say which file and why (remote.ts logged the peers tried).
      if (!expected && !(err instanceof FsError)) log.warn({ op: what, path, err: describeError(err), event: 'mount-error' }, `mount: ${what} ${path ?? ''} failed: ${describeError(err)}`)
      fail(errno)
    })
  }
  const readOnly = (name: string) => (path: string | null, ...args: unknown[]): void => {
    const cb = args[args.length - 1] as (err: number) => void
    cb(ERRNO[new ReadOnlyError(`${name} ${path ?? ''}`).errno] as number)
  }
  return {
    getattr: (path, cb) => { answer('getattr', path, async () => await ops.getattr(path ?? '/'), (a) => { cb(0, toStat(a)) }, (e) => { cb(e) }) },
    readdir: (path, cb) => { answer('readdir', path, async () => await ops.readdir(path ?? '/'), (names) => { cb(0, names) }, (e) => { cb(e) }) },
    open: (path, flags, cb) => { answer('open', path, async () => await ops.open(path, flags), (fd) => { cb(0, fd) }, (e) => { cb(e) }) },
    read: (path, fd, buffer, length, position, cb) => {
      answer('read', path, async () => await ops.read(Number(fd), buffer, length, Number(position)), (n) => { cb(n) }, (e) => { cb(e) })
    },
    release: (path, fd, cb) => { answer('release', path, async () => { await ops.release(Number(fd)) }, () => { cb(0) }, () => { cb(0) }) },
    statfs: (_path, cb) => { cb(0, ops.statfs()) },
    getxattr: (path, name, _position, cb) => {
      answer('getxattr', path, async () => await ops.getxattr(path, name), (v) => { if (v == null) cb(Fuse.ENODATA); else cb(0, Buffer.from(v)) }, (e) => { cb(e) })
    },
    listxattr: (path, cb) => { answer('listxattr', path, async () => await ops.listxattr(path), (names) => { cb(0, names) }, (e) => { cb(e) }) },
    setxattr: (path, name, value, _position, _flags, cb) => { answer('setxattr', path, async () => { await ops.setxattr(path, name, value) }, () => { cb(0) }, (e) => { cb(e) }) },
    removexattr: (path, name, cb) => { answer('removexattr', path, async () => { await ops.removexattr(path, name) }, () => { cb(0) }, (e) => { cb(e) }) },
    // Read-only for now: every change answers EROFS (not ENOSYS, which tools read as "try another way").
    create: readOnly('create'),
    write: readOnly('write'),
    truncate: readOnly('truncate'),
    ftruncate: readOnly('truncate'),
    mkdir: readOnly('mkdir'),
    rmdir: readOnly('rmdir'),
    unlink: readOnly('unlink'),
    rename: readOnly('rename'),
    link: readOnly('link'),
    symlink: readOnly('symlink'),
    mknod: readOnly('mknod'),
    chmod: readOnly('chmod'),
    chown: readOnly('chown'),
    utimens: readOnly('utimens')
  } as Fuse.OPERATIONS
}

export { Fuse }
