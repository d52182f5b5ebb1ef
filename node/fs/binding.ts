import Fuse from 'fuse-napi'
import { describeError } from '../../datastore/types/errors.js'
import type { Logger } from '../log.js'
import { FsError, NoLinksError, type Errno } from './errors.js'
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
  ELOOP: Fuse.ELOOP,
  EEXIST: Fuse.EEXIST,
  EPERM: Fuse.EPERM,
  EXDEV: Fuse.EXDEV,
  ENOTEMPTY: Fuse.ENOTEMPTY,
  EBUSY: Fuse.EBUSY,
  ENOSPC: Fuse.ENOSPC,
  EDQUOT: Fuse.EDQUOT ?? Fuse.ENOSPC,
  EFBIG: Fuse.EFBIG
}

function errnoOf (err: unknown): { errno: number, expected: boolean } {
  if (err instanceof FsError) return { errno: ERRNO[err.errno satisfies Errno] ?? Fuse.EIO, expected: err.errno !== 'EIO' }
  // A file of the root that vanished or turned into a link between lookup and open.
  // The root's own answer (a file that vanished, a full disk, a name taken) passes through.
  const code = (err as NodeJS.ErrnoException)?.code
  if (code != null && code !== 'EIO' && ERRNO[code] != null) return { errno: ERRNO[code], expected: true }
  return { errno: Fuse.EIO, expected: false }
}

function toStat (a: Attr): Fuse.Stats {
  const t = new Date(a.mtimeMs)
  return { mode: a.mode, size: a.size, uid: a.uid, gid: a.gid, nlink: a.nlink, blocks: a.blocks, blksize: 4096, mtime: t, atime: t, ctime: t }
}

/** Milliseconds of a timespec; UTIME_NOW is now, UTIME_OMIT is undefined (left as it is). */
function msOf (t: Readonly<Fuse.Timespec>): number | undefined {
  if (t.nanoseconds === Fuse.UTIME_OMIT) return undefined
  if (t.nanoseconds === Fuse.UTIME_NOW) return Date.now()
  return Number(t.seconds) * 1000 + t.nanoseconds / 1e6
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
  const refuse = (name: string) => (path: string | null, ...args: unknown[]): void => {
    const cb = args[args.length - 1] as (err: number) => void
    cb(ERRNO[new NoLinksError(`${name} ${path ?? ''}`).errno] as number)
  }
  const done = (cb: (err: number) => void) => () => { cb(0) }
  const failed = (cb: (err: number) => void) => (e: number) => { cb(e) }
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
    create: (path, mode, cb) => { answer('create', path, async () => await ops.create(path, mode), (fd) => { cb(0, fd) }, (e) => { cb(e) }) },
    write: (path, fd, buffer, length, position, cb) => {
      answer('write', path, async () => await ops.write(Number(fd), buffer, length, Number(position)), (n) => { cb(n) }, (e) => { cb(e) })
    },
    flush: (path, _fd, cb) => { cb(0) },
    fsync: (path, _dataSync, fd, cb) => { answer('fsync', path, async () => { await ops.fsync(Number(fd)) }, done(cb), failed(cb)) },
    truncate: (path, size, cb) => { answer('truncate', path, async () => { await ops.truncate(path ?? '', Number(size)) }, done(cb), failed(cb)) },
    ftruncate: (path, fd, size, cb) => { answer('ftruncate', path, async () => { await ops.ftruncate(Number(fd), Number(size)) }, done(cb), failed(cb)) },
    mkdir: (path, mode, cb) => { answer('mkdir', path, async () => { await ops.writes.mkdir(path, mode) }, done(cb), failed(cb)) },
    rmdir: (path, cb) => { answer('rmdir', path, async () => { await ops.writes.rmdir(path) }, done(cb), failed(cb)) },
    unlink: (path, cb) => { answer('unlink', path, async () => { await ops.writes.unlink(path) }, done(cb), failed(cb)) },
    rename: (src, dest, cb) => { answer('rename', src, async () => { await ops.writes.rename(src, dest) }, done(cb), failed(cb)) },
    chmod: (path, mode, cb) => { answer('chmod', path, async () => { await ops.writes.chmod(path ?? '', mode) }, done(cb), failed(cb)) },
    // Owners are the root's: a chown through the mount is not passed on (as on most network file systems);
    // one to the owner shown succeeds (`mv`, `cp -p` set it on what they copy).
    chown: (path, uid, gid, cb) => { answer('chown', path, async () => { await ops.chown(path ?? '/', uid, gid) }, done(cb), failed(cb)) },
    // The timespec variant: `touch` sends UTIME_NOW, which the millisecond one refuses (ENOTSUP).
    utimensWithTimespec: (path, atime, mtime, cb) => { answer('utimens', path, async () => { await ops.writes.utimens(path ?? '', msOf(atime), msOf(mtime)) }, done(cb), failed(cb)) },
    // Links: the index holds plain files and directories only (docs/decisions.md, "FUSE mount").
    link: refuse('link'),
    symlink: refuse('symlink'),
    mknod: refuse('mknod')
  } as Fuse.OPERATIONS
}

export { Fuse }
