/**
 * The FUSE mount (issue 12): every arena as a top-level directory of one
 * mount, showing the merged view of the real and the unreal; remote files
 * are fetched from peers when read. Read-only for now.
 *
 *   binding.ts (fuse-napi callbacks, errno) ─> operations.ts (the mount's
 *   operations) ─> tree.ts (names: index + unreal tree), handles.ts (open
 *   files), remote.ts (fetches into the blob cache) ─> mount.ts (life cycle)
 *
 * mountArenas is what the node calls; everything else stays inside.
 */
import type { Arena } from '../arena.js'
import type { BlobStore } from '../blobs/blob-store.js'
import type { RangeSource } from '../fetch/source.js'
import type { Logger } from '../log.js'
import type { UnrealTree } from '../unreal/unreal-tree.js'
import { ArenaMount } from './mount.js'
import { FsOperations } from './operations.js'
import { RemoteFetcher } from './remote.js'
import { FsTree } from './tree.js'

export type { MountInfo, MountState } from './mount.js'
export { ArenaMount } from './mount.js'
export { MountError } from './errors.js'

/** How long a read of a remote file waits without a byte from a peer before EIO (`[fuse] read_timeout`). */
export const DEFAULT_READ_WAIT_MS = 30_000

export interface MountArenasOptions {
  mountpoint: string
  arenas: readonly Arena[]
  trees: ReadonlyMap<string, UnrealTree>
  blobs: ReadonlyMap<string, BlobStore>
  /** Peers' content for on-demand reads (networkSource with onDemand). */
  source: RangeSource
  cache: () => { capacity: number, used: number }
  log: Logger
  /** @default DEFAULT_READ_WAIT_MS */
  readWaitMs?: number
}

export async function mountArenas (o: MountArenasOptions): Promise<ArenaMount> {
  const log = o.log.child({ component: 'mount' })
  const readWaitMs = o.readWaitMs ?? DEFAULT_READ_WAIT_MS
  const fetcher = new RemoteFetcher({ trees: o.trees, blobs: o.blobs, source: o.source, log, waitMs: readWaitMs })
  const ops = new FsOperations({ tree: new FsTree({ arenas: o.arenas, trees: o.trees }), blobs: o.blobs, fetcher, cache: o.cache })
  return await ArenaMount.mount(o.mountpoint, ops, log)
}
