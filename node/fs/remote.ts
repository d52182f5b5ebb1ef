import { hashEquals, hashToHex } from '../../datastore/types/hash.js'
import { describeError } from '../../datastore/types/errors.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Arena } from '../arena.js'
import type { BlobStore } from '../blobs/blob-store.js'
import { download } from '../fetch/download.js'
import type { RangeSource } from '../fetch/source.js'
import type { Logger } from '../log.js'
import type { UnrealFileStat, UnrealTree } from '../unreal/unreal-tree.js'
import { RemoteReadError } from './errors.js'

/**
 * Remote files for the mount: the verified blob of the chosen version,
 * downloaded from a peer into the cache on first read, as `cat` does
 * (node/control/unreal-view.ts; the same churten download, working queue).
 *
 *   read ─> fetch of (arena, hash) running? join it : start it (peer after peer)
 *        ─> wait while bytes keep arriving, at most `waitMs` without any
 *        ─> blob id | RemoteReadError (EIO)
 *
 * One fetch per version however many readers wait; when every reader gave
 * up waiting, the fetch is aborted (what arrived stays for the next one).
 */
export interface RemoteFetcherDeps {
  trees: ReadonlyMap<string, UnrealTree>
  blobs: ReadonlyMap<string, BlobStore>
  source: RangeSource
  log: Logger
  /**
   * How long a read waits without a byte arriving before it fails with
   * EIO: a stalled or silent peer fails the read in bounded time, a large
   * file on a slow link still arrives.
   */
  waitMs: number
}

interface Fetch {
  done: Promise<number>
  controller: AbortController
  waiters: number
  bytes: number
  total: number
  /** When bytes last arrived (or the fetch started): the wait is bounded by silence, not by size. */
  lastProgress: number
}

export class RemoteFetcher {
  private readonly fetches = new Map<string, Fetch>()

  constructor (private readonly deps: RemoteFetcherDeps) {}

  /** Bytes fetched so far of a running fetch of `stat`'s chosen version, for `user.realize.status`. */
  progress (arena: Arena, stat: UnrealFileStat): { bytes: number, total: number } | undefined {
    const f = this.fetches.get(key(arena, stat))
    return f == null ? undefined : { bytes: f.bytes, total: f.total }
  }

  /** The id of a verified blob holding `stat.chosen`; fetched from a peer if the cache lacks it. */
  async blobFor (arena: Arena, path: RelPath, stat: UnrealFileStat): Promise<number> {
    const blobs = this.deps.blobs.get(arena.name)
    const cached = stat.blobId == null ? undefined : await blobs?.get(stat.blobId)
    if (cached != null && cached.verified && hashEquals(cached.hash, stat.chosen.hash)) return cached.id
    const k = key(arena, stat)
    let f = this.fetches.get(k)
    // A fetch every reader gave up on is aborted: a new reader starts over (keeping what arrived).
    if (f == null || f.controller.signal.aborted) {
      f = this.start(arena, path, stat)
      this.fetches.set(k, f)
      const started = f
      void started.done.finally(() => { if (this.fetches.get(k) === started) this.fetches.delete(k) }).catch(() => {})
    }
    f.waiters++
    let timer: NodeJS.Timeout | undefined
    const fetch = f
    const timeout = new Promise<never>((_resolve, reject) => {
      const check = (): void => {
        const silent = Date.now() - fetch.lastProgress
        if (silent < this.deps.waitMs) {
          timer = setTimeout(check, this.deps.waitMs - silent)
          return
        }
        reject(new RemoteReadError(`${arena.name}/${path}: no bytes from a peer for ${this.deps.waitMs} ms (peers with it: ${this.peerNames(stat)})`))
      }
      timer = setTimeout(check, this.deps.waitMs)
    })
    try {
      return await Promise.race([f.done, timeout])
    } catch (err) {
      this.deps.log.warn({ arena: arena.name, path, peers: this.peerNames(stat), err: describeError(err), event: 'mount-read-failed' }, `reading ${arena.name}/${path} through the mount failed: ${describeError(err)}`)
      throw err instanceof RemoteReadError ? err : new RemoteReadError(`${arena.name}/${path}: ${describeError(err)}`, { cause: err })
    } finally {
      clearTimeout(timer)
      if (--f.waiters === 0) f.controller.abort()
    }
  }

  /** Aborts every fetch (the node stops). */
  close (): void {
    for (const f of this.fetches.values()) f.controller.abort()
  }

  private start (arena: Arena, path: RelPath, stat: UnrealFileStat): Fetch {
    const { trees, blobs, source, log } = this.deps
    const tree = trees.get(arena.name)
    const store = blobs.get(arena.name)
    const controller = new AbortController()
    const f: Fetch = { done: Promise.resolve(0), controller, waiters: 0, bytes: 0, total: stat.chosen.size, lastProgress: Date.now() }
    f.done = (async () => {
      if (tree == null || store == null) throw new RemoteReadError(`${arena.name}/${path}: the arena has no unreal tree`)
      const peers = source.peersWith(arena.name, stat.peers, stat.chosen.hash)
      if (peers.length === 0) throw new RemoteReadError(`${arena.name}/${path}: not cached here and no connected peer has version ${hashToHex(stat.chosen.hash).slice(0, 12)} (peers with it: ${this.peerNames(stat)})`)
      const failures: string[] = []
      // One attempt per peer that has it: download() takes peers[attempt % n].
      for (let attempt = 0; attempt < peers.length; attempt++) {
        controller.signal.throwIfAborted()
        const run = { signal: controller.signal, attempt, action: () => {}, progress: (bytes: number, total: number) => { if (bytes !== f.bytes) f.lastProgress = Date.now(); f.bytes = bytes; f.total = total } }
        try {
          return (await download({ arena, tree, blobs: store, source, log }, path, stat.chosen, run, { keep: false, stat })).blobId
        } catch (err) {
          if (controller.signal.aborted) throw err
          failures.push(`${source.name(peers[attempt] as string)}: ${describeError(err)}`)
        }
      }
      throw new RemoteReadError(`${arena.name}/${path}: every peer failed (${failures.join('; ')})`)
    })()
    return f
  }

  private peerNames (stat: UnrealFileStat): string {
    return stat.peers.map((p) => this.deps.source.name(p.peer)).join(', ') || 'none'
  }
}

function key (arena: Arena, stat: UnrealFileStat): string {
  return `${arena.name}\0${hashToHex(stat.chosen.hash)}`
}
