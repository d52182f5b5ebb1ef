import type { Arena } from '../arena.js'
import type { BlobStore } from '../blobs/blob-store.js'
import type { UnrealTree } from '../unreal/unreal-tree.js'
import type { RsyncBasis } from '../../protocols/rsync/client.js'
import type { RepairResult } from '../../protocols/rsync/repair.js'
import type { RangeHash } from '../../protocols/hash/client.js'
import type { Hash } from '../../datastore/types/hash.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Logger } from '../log.js'
import type { BlobBytes } from '../../protocols/blob/bytes.js'

/** One range of one version of a file on a peer. */
export interface RangeRequest {
  arena: string
  path: RelPath
  hash: Hash
  offset: number
  length: number
}

export interface ReadOptions {
  signal: AbortSignal
}

/**
 * Where file content comes from: the data protocols (blob, hash, rsync)
 * over the household's connections, under the download limits
 * {#churtenlimit}. Only peers that are connected, in the household and
 * share the arena are listed. Made by `networkSource` (./network-source.ts).
 */
export interface RangeSource {
  /** How errors name `peer`: its household name, else its PeerId {#errormsg}. */
  name: (peer: string) => string
  /**
   * Of the peers that have `path` (the unreal tree's list), those whose
   * version is `hash` and that are connected and share the arena now.
   */
  peersWith: (arena: string, peers: ReadonlyArray<{ peer: string, version: { hash: Hash } }>, hash: Hash) => string[]
  /** Reads the range into `write` (offsets in the file), in order; resolves to the bytes received on the wire. */
  read: (peer: string, req: RangeRequest, write: (data: Uint8Array, offset: number) => Promise<void>, options: ReadOptions) => Promise<number>
  /** `read` for bulk downloads: a raw chunk comes as the pieces it arrived in, not copied together (protocols/blob/bytes.ts). */
  readPieces: (peer: string, req: RangeRequest, write: (data: BlobBytes, offset: number) => Promise<void>, options: ReadOptions) => Promise<number>
  /**
   * Rebuilds the peer's range from a local basis with rsync, falling back to
   * a plain copy of the range when the delta is bad {#delta} {#testretries};
   * `write` takes offsets relative to the range start.
   */
  rsync: (peer: string, req: RangeRequest, basis: RsyncBasis, write: (data: Uint8Array, offset: number) => Promise<void>, options: ReadOptions) => Promise<RepairResult>
  /** The peer's SHA-256 of each range of the version (none past `localSize`). */
  hashRanges: (peer: string, req: Omit<RangeRequest, 'offset' | 'length'>, ranges: ReadonlyArray<{ offset: number, length: number }>, localSize: number, options: ReadOptions) => Promise<RangeHash[]>
  /**
   * Asks the peer to keep the version real for a lease before we drop our
   * real copy (protocols/hold); resolves to the lease in ms, rejects
   * (HOLD_REFUSED, or a transport error) when it will not.
   */
  hold: (peer: string, req: Omit<RangeRequest, 'offset' | 'length'>, options: { signal?: AbortSignal }) => Promise<number>
}

/** What fetching a file of one arena works with (churten's executors get the same). */
export interface FetchContext {
  arena: Arena
  tree: UnrealTree
  blobs: BlobStore
  source: RangeSource
  log: Logger
}

/** The steps of a fetch, as churten's job actions name them. */
export type FetchStep = 'download' | 'verify' | 'repair'

/** What a fetch reports and honours; churten's JobRun is one, `cat` passes its own. */
export interface FetchRun {
  signal: AbortSignal
  /** Earlier failed attempts (a retry picks the next peer). */
  attempt: number
  action: (step: FetchStep) => void
  progress: (bytes: number, total: number) => void
  /** The written ranges reached the store: a crash now resumes from `bytes`. */
  checkpoint?: (bytes: number, total: number) => void
}
