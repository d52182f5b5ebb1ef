import { EventEmitter } from 'node:events'
import { createHash } from 'node:crypto'
import { openOnDemand } from '../../fetch/on-demand.js'
import { HashMismatchError } from '../../fetch/errors.js'
import type { RangeReader } from '../../blobs/range-read.js'
import type { BlobHandle } from '../../blobs/blob-handle.js'
import { describeError, InvalidInputError, RealizeError } from '../../../datastore/types/errors.js'
import { asHash, hashEquals, hashToHex } from '../../../datastore/types/hash.js'
import type { Arena } from '../../arena.js'
import type { BlobStore } from '../../blobs/blob-store.js'
import type { RangeSource } from '../../fetch/source.js'
import type { PeerConfig } from '../../config/config.js'
import type { Logger } from '../../log.js'
import type { RelPath } from '../../../datastore/types/path.js'
import type { UnrealTree } from '../../unreal/unreal-tree.js'
import type { UnrealStat } from '../../unreal/types.js'
import { UnavailableError } from './errors.js'
import type { CallOptions, Content } from '../api/model.js'
import type { UnrealItem, UnrealView } from './sources.js'

export interface UnrealViewOptions {
  trees: ReadonlyMap<string, UnrealTree>
  blobs: ReadonlyMap<string, BlobStore>
  arenas: readonly Arena[]
  /** Content from peers (the blob protocol), for `cat` of a file not cached. */
  source: RangeSource
  /** The household, for peer names in messages. */
  peers: () => readonly PeerConfig[]
  /** Allocated bytes of the whole blob cache. */
  cacheUsed: () => number
  log: Logger
}

const CHUNK = 256 * 1024
/**
 * Entries the summaries of remote directories may visit in one listing
 * (about 100 ms of LevelDB reads): a listing stays cheap however large
 * the arena; directories past it keep no sizes.
 */
const LISTING_WALK_BUDGET = 10_000

/**
 * Remote files for the control model: the unreal tree's versions and
 * peers, with what the blob cache holds of each; `cat` streams a cached
 * copy, or first downloads the file from a peer into the cache (the same
 * download churten runs, in the working queue), then streams it.
 */
export function unrealView (o: UnrealViewOptions): UnrealView {
  const events = new EventEmitter<{ changed: [arena: string, paths: RelPath[]] }>()
  for (const [arena, tree] of o.trees) tree.on('changed', (paths) => { events.emit('changed', arena, paths) })
  const nameOf = (id: string): string => o.peers().find((p) => p.id === id)?.name ?? id

  const item = async (arena: string, name: string, s: UnrealStat, budget: { left: number }): Promise<UnrealItem> => {
    if (s.kind === 'dir') return await dirItem(arena, name, s.inode, budget)
    const blob = s.blobId == null ? undefined : await o.blobs.get(arena)?.get(s.blobId)
    const current = blob != null && hashEquals(blob.hash, s.chosen.hash)
    return {
      name,
      type: 'file',
      version: s.chosen,
      peers: s.peers.map((p) => ({ peerId: p.peer, version: p.version })),
      cachedBytes: current ? (blob.verified ? blob.size : blob.written.bytes) : 0,
      complete: current && blob.verified
    }
  }

  /**
   * A remote directory summed over the files below it, as ls does for a
   * real one: otherwise a fully cached `keep` directory reads "remote -".
   * The walks of one listing share LISTING_WALK_BUDGET entries (a listing
   * must stay cheap with 100,000 files); a directory not summed within it
   * keeps no sizes.
   */
  const dirItem = async (arena: string, name: string, inode: number, budget: { left: number }): Promise<UnrealItem> => {
    const tree = o.trees.get(arena)
    const blobs = o.blobs.get(arena)
    const unknown: UnrealItem = { name, type: 'dir', peers: [], cachedBytes: 0, complete: false }
    if (tree == null || blobs == null) return unknown
    const below = { files: 0, bytes: 0, mtime: 0 }
    let cachedBytes = 0
    let complete = true
    const stack = [inode]
    for (let dir = stack.pop(); dir != null; dir = stack.pop()) {
      for (const e of await tree.readdir(dir)) {
        if (--budget.left < 0) return unknown
        if (e.kind === 'dir') { stack.push(e.inode); continue }
        const st = await tree.stat(e.inode)
        if (st == null || st.kind !== 'file') continue
        const f = await item(arena, e.name, st, budget)
        if (f.version == null) continue
        below.files++
        below.bytes += f.version.size
        below.mtime = Math.max(below.mtime, f.version.mtime)
        cachedBytes += f.cachedBytes
        complete &&= f.complete
      }
    }
    // No file below (yet): nothing is cached, so not "cached".
    return { name, type: 'dir', peers: [], cachedBytes, complete: complete && below.files > 0, below }
  }

  return {
    events,
    list: async (arena, dir, co) => {
      const tree = o.trees.get(arena)
      const d = await tree?.lookupPath(dir)
      if (tree == null || d == null || d.kind !== 'dir') return []
      const out: UnrealItem[] = []
      const budget = { left: LISTING_WALK_BUDGET }
      for (const e of await tree.readdir(d.inode, co)) {
        const s = await tree.stat(e.inode)
        if (s != null) out.push(await item(arena, e.name, s, budget))
      }
      return out
    },
    lookup: async (arena, path) => {
      const s = await o.trees.get(arena)?.statPath(path)
      return s == null ? undefined : await item(arena, path.slice(path.lastIndexOf('/') + 1), s, { left: LISTING_WALK_BUDGET })
    },
    open: async (arena, path, co) => {
      const content = await open(o, nameOf, arena, path, co ?? {})
      // Fetched from a peer: the file is cached now.
      if (content?.source === 'peer') events.emit('changed', arena, [path])
      return content
    },
    arenaUsage: async (arena, co) => {
      let cachedFiles = 0
      let cachedBytes = 0
      const store = o.arenas.find((a) => a.name === arena)?.store
      for await (const [, b] of store?.blobs.all(co) ?? []) {
        // Blobs of replaced or unrealized versions wait for eviction: not "cached files".
        if (b.queue === 'pending' || !b.verified) continue
        cachedFiles++
        cachedBytes += b.size
      }
      return { cachedFiles, cachedBytes }
    },
    cacheUsed: async () => o.cacheUsed()
  }
}

async function open (o: UnrealViewOptions, nameOf: (id: string) => string, arena: string, path: RelPath, co: CallOptions): Promise<Content | undefined> {
  const tree = o.trees.get(arena)
  const blobs = o.blobs.get(arena)
  const a = o.arenas.find((x) => x.name === arena)
  const s = await tree?.statPath(path)
  if (s == null || tree == null || blobs == null || a == null) return undefined
  if (s.kind === 'dir') throw new InvalidInputError('IS_A_DIRECTORY', `${arena}:${path} is a directory`)
  const cached = s.blobId == null ? undefined : await blobs.get(s.blobId)
  if (cached != null && cached.verified && hashEquals(cached.hash, s.chosen.hash)) return readCached(await blobs.open(cached.id))
  const peers = o.source.peersWith(arena, s.peers, s.chosen.hash)
  if (peers.length === 0) {
    throw new UnavailableError('NO_PEER', `${arena}:${path} is not cached here and no connected peer has it (peers with it: ${s.peers.map((p) => nameOf(p.peer)).join(', ') || 'none'})`)
  }
  const reader = await openOnDemand({ arena: a, tree, blobs, source: o.source }, path, s)
  return { source: 'peer', size: reader.handle.size, chunks: streamFromPeers(reader, `${arena}:${path}`, peers.map(nameOf).join(', '), o.log) }
}

/**
 * A file from peers, streamed as its bytes arrive (node/blobs/range-read.ts:
 * fetched in order with a growing read-ahead, kept in the cache) and hashed
 * on the way. The consumer has every byte before the whole can be checked,
 * so a mismatch is an error at the end of the stream: `cat` then exits 1
 * after its output, and the bytes are dropped from the cache.
 */
async function * streamFromPeers (reader: RangeReader, where: string, from: string, log: Logger): AsyncGenerator<Uint8Array> {
  const { handle } = reader
  try {
    const hasher = createHash('sha256')
    const buf = Buffer.allocUnsafe(CHUNK)
    for (let pos = 0; pos < handle.size;) {
      const n = await reader.read(buf, pos, Math.min(CHUNK, handle.size - pos))
      if (n === 0) throw new RealizeError('SHORT_READ', `${where}: the content ended at byte ${pos} of ${handle.size}`)
      pos += n
      const chunk = Buffer.from(buf.subarray(0, n))
      hasher.update(chunk)
      yield chunk
    }
    const streamed = asHash(new Uint8Array(hasher.digest()))
    if (!hashEquals(streamed, handle.hash)) {
      await reader.verify(streamed).catch(() => {})
      throw new HashMismatchError(`${where}: the bytes streamed from ${from} hash to ${hashToHex(streamed).slice(0, 12)}, expected ${hashToHex(handle.hash).slice(0, 12)}; the output is not this version (dropped from the cache, try again)`)
    }
    // Right as streamed: the blob becomes a verified cached copy (not read again).
    await reader.verify(streamed).catch((err) => { log.debug({ where, err: describeError(err) }, 'the streamed copy was not kept as verified') })
  } finally {
    await reader.close()
    await handle.close()
  }
}

function readCached (handle: BlobHandle): Content {
  return {
    source: 'cache',
    size: handle.size,
    chunks: (async function * () {
      try {
        const buf = Buffer.allocUnsafe(CHUNK)
        for (let pos = 0; pos < handle.size;) {
          const n = await handle.read(buf, pos, Math.min(CHUNK, handle.size - pos))
          if (n === 0) break
          pos += n
          yield Buffer.from(buf.subarray(0, n))
        }
      } finally {
        await handle.close()
      }
    })()
  }
}
