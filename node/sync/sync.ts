import { HistorySubscriptions, type SubscriptionOptions } from './subscriptions.js'
import { HistoryTrimmer } from './trimmer.js'
import { startHistoryServer, type PublishedArena } from '../../protocols/history/index.js'
import { describeError } from '../../datastore/types/errors.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Network } from '../net/network.js'
import type { RealIndex } from '../real/real-index.js'
import type { UnrealTree } from '../unreal/unreal-tree.js'
import type { Logger } from '../log.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'
import type { ListedFile, ListedRemoval } from '../../protocols/history/index.js'
import type { Tombstone } from '../../datastore/tables/tombstones.js'
import type { HistoryEntry } from '../../datastore/types/history.js'

/** What sync needs of one local arena. */
export interface SyncArena {
  name: string
  store: ArenaStore
  index: RealIndex
  tree: UnrealTree
}

export interface SyncOptions extends SubscriptionOptions {
  network: Network
  arenas: readonly SyncArena[]
  /** config `history.inactive_after` */
  inactiveAfterMs: number
  log: Logger
  /** Delay between an acknowledgement and the trim it allows. */
  trimDelayMs?: number
}

/**
 * History between peers (spec section 5), both directions:
 *
 *   our arenas ── publishHistory (/realize/history/1.0.0) ──> subscribers
 *                   acks -> history-acks -> HistoryTrimmer
 *   peers' arenas ── HistorySubscriptions ──> UnrealHistorySink -> unreal tree
 *                                                                  + peer progress
 */
export class Sync {
  readonly trimmers = new Map<string, HistoryTrimmer>()
  readonly subscriptions: HistorySubscriptions
  private readonly arenas: Map<string, SyncArena>
  private unserve: (() => Promise<void>) | undefined
  /** Live subscribers of each arena's new entries. */
  private readonly live = new Map<string, Set<(entries: HistoryEntry[]) => void>>()

  constructor (private readonly options: SyncOptions) {
    this.arenas = new Map(options.arenas.map((a) => [a.name, a]))
    const log = options.log.child({ component: 'sync' })
    for (const a of options.arenas) {
      this.trimmers.set(a.name, new HistoryTrimmer(a.store, {
        members: () => options.network.household.peers.filter((p) => options.network.household.shares(p.id, a.name)).map((p) => p.id),
        inactiveAfterMs: options.inactiveAfterMs,
        delayMs: options.trimDelayMs,
        log: log.child({ arena: a.name })
      }))
    }
    this.subscriptions = new HistorySubscriptions(options.network, this.arenas, log, options)
  }

  /** The publishing view of a local arena. */
  published (name: string): PublishedArena | undefined {
    const a = this.arenas.get(name)
    const trimmer = this.trimmers.get(name)
    if (a == null || trimmer == null) return undefined
    return {
      storeId: a.store.storeId,
      lastN: () => a.store.history.lastN,
      firstN: async () => await a.store.history.firstN(),
      entriesAfter: (after, o) => a.store.history.after(after, o),
      files: (o) => mapFiles(a.store.index.all(o)),
      removed: (o) => mapRemoved(a.store.tombstones.all(o)),
      onEntries: (listener) => this.listen(a, listener),
      acknowledge: async (peerId, n) => { await trimmer.acknowledge(peerId, n) },
      hold: (token, after) => { trimmer.hold(token, after) }
    }
  }

  async start (): Promise<void> {
    const { network, log } = this.options
    this.unserve = await startHistoryServer({ host: network.host, peers: network.household, log }, { arenas: (name) => this.published(name) })
    for (const t of this.trimmers.values()) {
      await t.trim().catch((err) => { log.warn({ err: describeError(err) }, 'history trim failed') })
    }
    this.subscriptions.start()
  }

  /**
   * The subscribers of an arena share one listener on its index: there may
   * be many (16 streams per peer, every peer), and each adding its own would
   * trip EventEmitter's leak warning at 11 without any leak.
   */
  private listen (a: SyncArena, listener: (entries: HistoryEntry[]) => void): () => void {
    let set = this.live.get(a.name)
    if (set == null) {
      const listeners = new Set<(entries: HistoryEntry[]) => void>()
      a.index.on('history', (entries) => { for (const l of listeners) l(entries) })
      this.live.set(a.name, listeners)
      set = listeners
    }
    set.add(listener)
    return () => { set.delete(listener) }
  }

  async stop (): Promise<void> {
    await this.subscriptions.stop()
    for (const t of this.trimmers.values()) {
      await t.stop().catch((err) => { this.options.log.warn({ err: describeError(err) }, 'saving history acknowledgements failed') })
    }
    await this.unserve?.()
  }
}

async function * mapRemoved (tombstones: AsyncIterable<[RelPath, Tombstone]>): AsyncGenerator<ListedRemoval> {
  for await (const [path, t] of tombstones) yield { path, hashes: t.hashes }
}

async function * mapFiles (entries: AsyncIterable<[RelPath, IndexEntry]>): AsyncGenerator<ListedFile> {
  for await (const [path, e] of entries) yield { path, version: { hash: e.hash, size: e.size, mtime: e.mtime }, ...(e.previous != null && e.previous.length > 0 ? { previous: e.previous } : {}) }
}
