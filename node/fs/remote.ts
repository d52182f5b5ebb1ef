import { hashToHex } from '../../datastore/types/hash.js'
import { describeError } from '../../datastore/types/errors.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Arena } from '../arena.js'
import type { BlobHandle } from '../blobs/blob-handle.js'
import type { BlobStore } from '../blobs/blob-store.js'
import type { RangeReader } from '../blobs/range-read.js'
import type { RangeSource } from '../fetch/source.js'
import { openOnDemand } from '../fetch/on-demand.js'
import { CancelledError } from '../fetch/errors.js'
import type { Logger } from '../log.js'
import type { UnrealFileStat, UnrealTree } from '../unreal/unreal-tree.js'
import { FsNotFoundError, RemoteReadError } from './errors.js'

/**
 * Remote files for the mount, read by range (node/blobs/range-read.ts):
 * the chosen version's blob (made if the cache has none) is shared by
 * every open file of that version; a read fetches only the chunks it
 * lacks, sequential readers get read-ahead, the blob is verified once
 * complete. A churten download of the same blob (keep, realize) shares
 * the chunks: nothing is fetched twice.
 *
 *   open file ─> acquire (arena, hash) ─> read [a, b) ─> RangeReader ─> peers (peer-ranges.ts)
 *
 * A read fails with EIO (RemoteReadError) when no peer sends a byte for
 * `waitMs`, with a warning naming the file and the peers that have it.
 */
export interface RemoteFetcherDeps {
  trees: ReadonlyMap<string, UnrealTree>
  blobs: ReadonlyMap<string, BlobStore>
  source: RangeSource
  log: Logger
  /** How long a read waits without a byte arriving before EIO (`[fuse] read_timeout`). */
  waitMs: number
}

/** One version's blob while files of it are open. */
export class RemoteBlob {
  refs = 1

  constructor (readonly reader: RangeReader, private readonly done: () => void) {}

  get handle (): BlobHandle { return this.reader.handle }

  async release (): Promise<void> {
    if (--this.refs > 0) return
    this.done()
    await this.reader.close()
    await this.handle.close()
  }
}

export class RemoteFetcher {
  private readonly shared = new Map<string, Promise<RemoteBlob>>()

  constructor (private readonly deps: RemoteFetcherDeps) {}

  /** Bytes held of a version being read now (open and not complete), for `user.realize.status`. */
  async progress (arena: Arena, stat: UnrealFileStat): Promise<{ bytes: number, total: number } | undefined> {
    const p = this.shared.get(key(arena, stat))
    const b = p == null ? undefined : await p.catch(() => undefined)
    if (b == null) return undefined
    // Complete: the status is cached (or remote again after a mismatch) once the hash is checked.
    if (b.reader.complete) { await b.reader.settled(); return undefined }
    return { bytes: b.handle.written.bytes, total: b.handle.size }
  }

  /** The shared blob of `stat.chosen` for one more open file; release() it when the file closes. */
  async acquire (arena: Arena, path: RelPath, stat: UnrealFileStat): Promise<RemoteBlob> {
    const k = key(arena, stat)
    const running = this.shared.get(k)
    const b = await running
    // refs 0: its last file closed while we waited; it is closing, open afresh.
    if (b != null && b.refs > 0) {
      b.refs++
      return b
    }
    const p = this.open(arena, path, stat, () => { if (this.shared.get(k) === p) this.shared.delete(k) })
    this.shared.set(k, p)
    try {
      return await p
    } catch (err) {
      if (this.shared.get(k) === p) this.shared.delete(k)
      throw this.failed(arena, path, stat, err)
    }
  }

  /** Reads through the shared blob; any failure is EIO with a warning naming the file and its peers. */
  async read (b: RemoteBlob, arena: Arena, path: RelPath, stat: UnrealFileStat, buffer: Buffer, length: number, position: number): Promise<number> {
    try {
      return await b.reader.read(buffer, position, length)
    } catch (err) {
      throw this.failed(arena, path, stat, err)
    }
  }

  /** The reader's EIO, and a warning (a notice: TUI, `subscribe notice`) naming the file and its peers. */
  private failed (arena: Arena, path: RelPath, stat: UnrealFileStat, err: unknown): Error {
    if (err instanceof FsNotFoundError) return err
    this.deps.log.warn({ arena: arena.name, path, peers: this.peerNames(stat), err: describeError(err), event: 'mount-read-failed' }, `reading ${arena.name}/${path} through the mount failed: ${describeError(err)}`)
    return err instanceof RemoteReadError ? err : new RemoteReadError(`${arena.name}/${path}: ${describeError(err)}`, { cause: err })
  }

  private async open (arena: Arena, path: RelPath, stat: UnrealFileStat, done: () => void): Promise<RemoteBlob> {
    const tree = this.deps.trees.get(arena.name)
    const blobs = this.deps.blobs.get(arena.name)
    if (tree == null || blobs == null) throw new FsNotFoundError(`${arena.name}/${path}`)
    try {
      return new RemoteBlob(await openOnDemand({ arena, tree, blobs, source: this.deps.source }, path, stat, this.deps.waitMs), done)
    } catch (err) {
      if (err instanceof CancelledError) throw new FsNotFoundError(`${arena.name}/${path} (changed while it was opened)`)
      throw err
    }
  }

  private peerNames (stat: UnrealFileStat): string {
    return stat.peers.map((p) => this.deps.source.name(p.peer)).join(', ') || 'none'
  }
}

function key (arena: Arena, stat: UnrealFileStat): string {
  return `${arena.name}\0${hashToHex(stat.chosen.hash)}`
}
