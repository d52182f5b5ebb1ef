import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { describeError } from '../../datastore/types/errors.js'
import type { Logger } from '../log.js'
import { MountError } from './errors.js'
import type { FsOperations } from './operations.js'

/**
 * The mount's life cycle: check the mount point (a stale mount left by a
 * killed node is cleared, a live one or a non-empty directory refused),
 * mount, and unmount on stop (lazily when a program still holds a file
 * open there, so stopping never hangs on a user's shell).
 */
export type MountState = 'mounted' | 'unmounted' | 'failed'

export interface MountInfo {
  /** The mount point, absolute. */
  path: string
  state: MountState
  /** Why the mount failed or was lost; null when fine. */
  error: string | null
  /** When the state was entered (ms since the epoch). */
  since: number
}

const run = promisify(execFile)

export class ArenaMount {
  private state: MountState = 'mounted'
  private since = Date.now()
  private error: string | null = null

  private constructor (
    readonly path: string,
    private readonly fuse: import('fuse-napi'),
    private readonly ops: FsOperations,
    private readonly log: Logger
  ) {}

  /** Mounts `ops` at `dir`; a MountError says what is wrong with the mount point. */
  static async mount (dir: string, ops: FsOperations, log: Logger): Promise<ArenaMount> {
    let binding: typeof import('./binding.js')
    try {
      // Loaded only when a mount is asked for: a node without one runs where libfuse is absent.
      binding = await import('./binding.js')
    } catch (err) {
      throw new MountError('FUSE_UNAVAILABLE', `cannot mount at ${dir}: the FUSE library does not load (install the fuse3 package): ${describeError(err)}`, { cause: err })
    }
    const path = await prepareMountPoint(dir, log)
    const { Fuse, fuseOperations } = binding
    const fuse = new Fuse(path, fuseOperations(ops, log), {
      // Remote reads wait on peers: many requests in flight, so one slow read never blocks a listing.
      maxConcurrency: 32,
      // Requests of up to 1 MiB instead of the kernel's default 128 KiB: each
      // costs a round trip through the event loop, so fewer is faster
      // (docs/BENCHMARKS.md, "FUSE mount"); with the read-ahead raised below.
      maxRead: MAX_READ_BYTES,
      // A read of a remote file lasts as long as bytes keep coming (remote.ts
      // answers EIO after readWaitMs of silence); the binding's fixed deadline
      // would cut a large file on a slow link, so it is off for reads only.
      timeout: { default: 15_000, read: false },
      // TTL 0 (docs/decisions.md, "FUSE mount"): what peers change shows at the next stat.
      attrTimeout: 0,
      entryTimeout: 0,
      fsname: 'realize',
      subtype: 'realize',
      onError: (err, op) => { log.warn({ op, err: describeError(err), event: 'mount-error' }, `mount: ${op} threw`) }
    })
    try {
      await new Promise<void>((resolve, reject) => { fuse.mount((err) => { if (err != null) reject(err); else resolve() }) })
    } catch (err) {
      throw new MountError('MOUNT_FAILED', `cannot mount the arenas at ${path}: ${describeError(err)}`, { cause: err })
    }
    await raiseReadAhead(path, log)
    log.info({ mountpoint: path, event: 'mounted' }, `arenas mounted at ${path}`)
    return new ArenaMount(path, fuse, ops, log)
  }

  info (): MountInfo {
    return { path: this.path, state: this.state, error: this.error, since: this.since }
  }

  /** Idempotent; never throws (the node is stopping): a failure is logged and shown in info(). */
  async unmount (): Promise<void> {
    if (this.state !== 'mounted') return
    try {
      await new Promise<void>((resolve, reject) => { this.fuse.unmount((err) => { if (err != null) reject(err); else resolve() }) })
    } catch (err) {
      // Busy (a shell's cwd, an open file): detach now, the kernel lets go when they do.
      this.log.warn({ mountpoint: this.path, err: describeError(err), event: 'unmount-busy' }, `${this.path} is busy; detaching it lazily`)
      await lazyUnmount(this.path).catch((e) => {
        this.error = `unmount failed: ${describeError(e)}`
        this.log.error({ mountpoint: this.path, err: describeError(e), event: 'unmount-failed' }, `could not unmount ${this.path}`)
      })
    }
    await this.ops.close()
    this.state = this.error == null ? 'unmounted' : 'failed'
    this.since = Date.now()
    if (this.error == null) this.log.info({ mountpoint: this.path, event: 'unmounted' }, `${this.path} unmounted`)
  }
}

/** The largest read request the kernel sends us. */
const MAX_READ_BYTES = 1024 * 1024

/**
 * The kernel reads ahead of a sequential reader only 128 KiB on a FUSE
 * mount (the backing device's default), so each request stays 128 KiB
 * whatever max_read allows. The mount's backing device (an anonymous
 * 0:minor) takes a larger value through sysfs, as root; without it the
 * mount works, slower.
 */
async function raiseReadAhead (path: string, log: Logger): Promise<void> {
  // The device from mountinfo, not a stat of the mount: the node never does I/O on its own mount.
  const device = (await mountLine(path))?.device
  const file = `/sys/class/bdi/${device ?? '?'}/read_ahead_kb`
  try {
    if (device == null) throw new Error('the mount is not in /proc/self/mountinfo')
    await writeFile(file, String(READ_AHEAD_KB))
  } catch (err) {
    log.debug({ file, err: describeError(err) }, 'could not raise the mount\'s read-ahead')
  }
}

const READ_AHEAD_KB = 4096

/**
 * A usable, empty directory at `dir` (made if missing), its absolute real
 * path returned. Left by a node killed with -9, the mount point answers
 * ENOTCONN: it is detached first.
 */
export async function prepareMountPoint (dir: string, log: Logger): Promise<string> {
  try {
    await stat(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      await mkdir(dir, { recursive: true, mode: 0o755 })
    } else if (code === 'ENOTCONN') {
      try {
        await lazyUnmount(dir)
      } catch (e) {
        throw new MountError('MOUNT_FAILED', `${dir} holds a stale mount (a node stopped without unmounting) that could not be cleared: ${describeError(e)}; try fusermount3 -uz ${dir}`, { cause: e })
      }
      log.info({ mountpoint: dir, event: 'stale-mount-cleared' }, `cleared a stale mount at ${dir}`)
    } else {
      throw new MountError('MOUNT_FAILED', `cannot use ${dir} as the mount point: ${describeError(err)}`, { cause: err })
    }
  }
  const path = await realpath(dir)
  if (!(await stat(path)).isDirectory()) throw new MountError('MOUNT_NOT_A_DIRECTORY', `cannot mount at ${path}: not a directory`)
  const other = await mountedAt(path)
  if (other != null) throw new MountError('MOUNT_BUSY', `cannot mount at ${path}: something is mounted there already (${other}); unmount it or choose another mount point`)
  // Mounting over files would hide them: a user would think them lost.
  if ((await readdir(path)).length > 0) throw new MountError('MOUNT_NOT_EMPTY', `cannot mount at ${path}: the directory is not empty (its files would be hidden); choose an empty or new directory`)
  return path
}

/** What is mounted at `path` ("fuse.realize realize"), from /proc/self/mountinfo; undefined when nothing. */
async function mountedAt (path: string): Promise<string | undefined> {
  return (await mountLine(path))?.what
}

/** The mountinfo line of the mount at `path`: its device (major:minor) and what it is. */
async function mountLine (path: string): Promise<{ device: string, what: string } | undefined> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  let found: { device: string, what: string } | undefined
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ')
    const fields = left?.split(' ')
    const point = fields?.[4]
    if (point == null || right == null) continue
    // The last line for a point is the mount on top.
    if (unescapeMountPath(point) === path) found = { device: fields?.[2] ?? '', what: right.split(' ').slice(0, 2).join(' ') }
  }
  return found
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
function unescapeMountPath (s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)))
}

async function lazyUnmount (path: string): Promise<void> {
  try {
    await run('fusermount3', ['-u', '-z', path])
  } catch (err) {
    // Without fusermount3 (or for a mount it does not own), root can still detach it.
    await run('umount', ['-l', path]).catch(() => { throw err })
  }
}
