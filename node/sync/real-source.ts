import { closeSync, constants, fstatSync, openSync, read, readSync, realpathSync } from 'node:fs'
import { promisify } from 'node:util'
import { join, sep } from 'node:path'
import { SourceNotFoundError, VersionChangedError, type BlobSource, type SourceHandle } from '../../protocols/common/source.js'
import { RealizeError, wrapError } from '../../datastore/types/errors.js'
import { hashEquals, hashToHex, type Hash } from '../../datastore/types/hash.js'
import { parsePath, type RelPath } from '../../datastore/types/path.js'
import { PathEscapeError } from '../real/root-path.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'

/** What the real source needs of an arena (node/arena.ts Arena fits). */
export interface RealArena {
  /** Undefined for a cache-only arena: nothing real to serve. */
  root: string | undefined
  index: { get: (path: RelPath) => Promise<IndexEntry | undefined> }
}

/**
 * Files up to this size are read with synchronous calls. On the 2-core VM
 * (docs/BENCHMARKS.md) every thread-pool round trip costs 50–100 µs of CPU,
 * more than the whole read of a small file from the page cache; opening,
 * checking and closing are synchronous for every file (a few µs each).
 * Larger reads stay asynchronous so a cold disk never blocks the node.
 */
const SYNC_READ_MAX = 1024 * 1024

const readAsync = promisify(read)

export { PathEscapeError }

/**
 * Serves the real: files in arena roots, at the version the index holds
 * (the blob, hash and rsync protocols read through this).
 *
 * A request is answered only if the index's entry has the asked hash, and
 * the file on disk still has the indexed size and mtime (else it changed
 * since it was hashed, and the watcher will report the new version): both
 * are VERSION_CHANGED. The path is checked again (parsePath) and must
 * resolve to itself inside the root: no symlink anywhere on the way, so a
 * link planted in the arena cannot expose a file outside it (spec section 8);
 * the last component is opened with O_NOFOLLOW so a link swapped in after
 * the check fails too.
 */
export class RealSource implements BlobSource {
  constructor (private readonly arenas: (name: string) => RealArena | undefined) {}

  async open (arena: string, path: RelPath, hash: Hash, options: { signal?: AbortSignal } = {}): Promise<SourceHandle> {
    const where = `${arena}/${path}`
    parsePath(path)
    const a = this.arenas(arena)
    if (a?.root == null) throw new SourceNotFoundError(`${where}: no local files for arena ${JSON.stringify(arena)} here`)
    const entry = await a.index.get(path)
    options.signal?.throwIfAborted()
    if (entry == null) throw new SourceNotFoundError(`${where}: not in the index here`)
    if (!hashEquals(entry.hash, hash)) {
      throw new VersionChangedError(`${where}: the current version is ${hashToHex(entry.hash).slice(0, 12)}, not ${hashToHex(hash).slice(0, 12)}`)
    }

    const abs = join(a.root, ...path.split('/'))
    let fd: number | undefined
    try {
      const realRoot = realpathSync.native(a.root)
      const real = realpathSync.native(abs)
      if (real !== join(realRoot, ...path.split('/')) || !real.startsWith(realRoot + sep)) {
        throw new PathEscapeError(`${where}: resolves through a symbolic link; refused`)
      }
      fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW)
      const st = fstatSync(fd)
      if (!st.isFile()) throw new PathEscapeError(`${where}: not a regular file`)
      if (st.size !== entry.size || st.mtimeMs !== entry.mtime) {
        throw new VersionChangedError(`${where}: changed on disk since it was indexed`)
      }
      return new RealHandle(fd, where, st.size, st.mtimeMs)
    } catch (err) {
      if (fd != null) try { closeSync(fd) } catch {}
      if (err instanceof RealizeError) throw err
      const code = (err as NodeJS.ErrnoException).code
      // Gone since it was indexed (or a symlink, for O_NOFOLLOW): the indexed version is not here.
      if (code === 'ENOENT') throw new VersionChangedError(`${where}: removed since it was indexed`, { cause: err })
      if (code === 'ELOOP') throw new PathEscapeError(`${where}: is a symbolic link; refused`)
      throw wrapError(`opening ${where}`, err)
    }
  }
}

class RealHandle implements SourceHandle {
  private closed = false

  constructor (private readonly fd: number, private readonly where: string, readonly size: number, private readonly mtime: number) {}

  async read (into: Uint8Array, position: number): Promise<number> {
    if (this.closed) throw new RealizeError('SOURCE_CLOSED', `reading ${this.where}: closed`)
    try {
      if (this.size <= SYNC_READ_MAX) return readSync(this.fd, into, 0, into.byteLength, position)
      return (await readAsync(this.fd, into, 0, into.byteLength, position)).bytesRead
    } catch (err) {
      throw wrapError(`reading ${this.where}`, err)
    }
  }

  async verify (): Promise<void> {
    const st = fstatSync(this.fd)
    if (st.size !== this.size || st.mtimeMs !== this.mtime) {
      throw new VersionChangedError(`${this.where}: changed on disk while being read`)
    }
  }

  async close (): Promise<void> {
    // Once: the descriptor number may belong to another file after.
    if (this.closed) return
    this.closed = true
    closeSync(this.fd)
  }
}
