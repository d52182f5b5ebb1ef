import type { Arena } from '../../arena.js'
import type { BlobStore } from '../../blobs/blob-store.js'
import type { UnrealTree } from '../../unreal/unreal-tree.js'
import type { Hash } from '../../types/hash.js'
import type { RelPath } from '../../types/path.js'

/**
 * Where file content comes from: the blob protocol client over the
 * household's connections. Only peers that are connected, in the household
 * and share the arena are listed.
 */
export interface RangeSource {
  /** Connected peers whose current version of `path` is `hash`, best first. */
  peersWith: (arena: string, path: RelPath, hash: Hash) => Promise<string[]>
  /** Streams bytes [offset, offset + length) of that version from `peer`. */
  read: (peer: string, arena: string, path: RelPath, hash: Hash, offset: number, length: number, options: { signal: AbortSignal }) => AsyncIterable<Uint8Array>
}

/** What the executors of one arena work with. */
export interface ExecutorContext {
  arena: Arena
  tree: UnrealTree
  blobs: BlobStore
  source: RangeSource
}
