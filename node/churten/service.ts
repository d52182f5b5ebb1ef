import { EventEmitter } from 'node:events'
import { Churten } from './churten.js'
import { arenaWorker } from './arena-worker.js'
import { networkSource } from './network-source.js'
import type { Arena } from '../arena.js'
import type { Holds } from './holds.js'
import type { BlobStore } from '../blobs/blob-store.js'
import type { Network } from '../net/network.js'
import type { UnrealTree } from '../unreal/unreal-tree.js'
import type { Logger } from '../log.js'
import type { ChurtenControl } from '../control/sources.js'
import type { ChurtenEvent, ChurtenJob } from '../control/model.js'
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

/**
 * Churten as the control API sees it (node/control/sources.ts): the
 * notification stream turned into job records with their progress, so
 * `churten status`, `churten run` and the TUI show live jobs.
 */
export function churtenControl (churten: Churten): ChurtenControl {
  const events = new EventEmitter<{ event: [ChurtenEvent] }>()
  const active = new Map<number, ChurtenJob>()
  churten.on('notification', (n) => {
    switch (n.type) {
      case 'running':
        events.emit('event', { type: 'state', running: n.running })
        return
      case 'pending': {
        if (n.job === 'conflict') return
        const job: ChurtenJob = { id: n.id, arena: n.arena, path: n.path, kind: n.job, state: 'pending', action: null, bytes: 0, total: n.bytes }
        active.set(n.id, job)
        events.emit('event', { type: 'pending', job: { ...job } })
        return
      }
      case 'started': {
        const job = active.get(n.id)
        if (job == null) return
        job.state = 'running'
        events.emit('event', { type: 'started', job: { ...job } })
        return
      }
      case 'action': {
        const job = active.get(n.id)
        if (job != null) job.action = n.action
        events.emit('event', { type: 'action', id: n.id, action: n.action })
        return
      }
      case 'progress': {
        const job = active.get(n.id)
        if (job != null) { job.bytes = n.bytes; job.total = n.total }
        events.emit('event', { type: 'progress', id: n.id, bytes: n.bytes, total: n.total })
        return
      }
      case 'ended':
        if (!active.delete(n.id)) return
        events.emit('event', { type: 'ended', id: n.id, outcome: n.result, error: n.error ?? null })
    }
  })
  return {
    events,
    status: async () => ({ available: true, running: churten.isRunning, jobs: active.size, active: [...active.values()].map((j) => ({ ...j })) }),
    start: async () => { churten.start() },
    stop: async () => { await churten.stop() }
  }
}
