import { Churten } from './churten.js'
import { arenaWorker } from './arena-worker.js'
import { networkSource } from '../fetch/network-source.js'
import type { Arena } from '../arena.js'
import type { Holds } from './holds.js'
import type { BlobStore } from '../blobs/blob-store.js'
import type { Network } from '../net/network.js'
import type { UnrealTree } from '../unreal/unreal-tree.js'
import type { Logger } from '../log.js'
import type { RateLimits } from '../net/rate-limit.js'
import type { Faults } from '../../protocols/faults.js'

export interface ChurtenServiceOptions {
  arenas: readonly Arena[]
  trees: ReadonlyMap<string, UnrealTree>
  blobs: ReadonlyMap<string, BlobStore>
  network: Network
  batchBytes: number
  log: Logger
  /** The node's bandwidth limits; churten's reads count against download and churten_download {#churtenlimit}. */
  limits?: RateLimits
  /** Test-only {#testretries}: faults in churten's reads from peers. */
  faults?: Faults
  backoffMs?: number
  maxBackoffMs?: number
  /** The hold handshake's bookkeeping, shared with the node's hold server. */
  holds: Holds
}

/** Builds churten over the node's arenas: one worker per arena, content from the network. */
export function createChurten (options: ChurtenServiceOptions): Churten {
  const log = options.log.child({ component: 'churten' })
  const source = networkSource(options.network, { limits: options.limits, faults: options.faults })
  const workers = options.arenas.map((arena) => arenaWorker({
    arena,
    tree: options.trees.get(arena.name) as UnrealTree,
    blobs: options.blobs.get(arena.name) as BlobStore,
    source,
    holds: options.holds,
    log: log.child({ arena: arena.name })
  }))
  const keeper = options.network.keeper
  return new Churten({
    arenas: workers,
    batchBytes: options.batchBytes,
    log,
    backoffMs: options.backoffMs,
    maxBackoffMs: options.maxBackoffMs,
    onPeerConnected: (listener) => {
      keeper.on('connected', listener)
      return () => { keeper.off('connected', listener) }
    }
  })
}
