import { UnrealHistorySink } from './unreal-sink.js'
import { subscribeHistory } from '../../protocols/history/index.js'
import { describeError, RealizeError } from '../../datastore/types/errors.js'
import type { SyncArena } from './sync.js'
import type { Network } from '../net/network.js'
import type { Logger } from '../log.js'

export interface SubscriptionOptions {
  /** First wait before resubscribing after a failure. @default 1_000 */
  minRetryMs?: number
  /** @default 30_000 */
  maxRetryMs?: number
}

interface Running {
  controller: AbortController
  done: Promise<void>
}

/**
 * Follows the history of every connected household peer, for every arena
 * both have and share (spec section 5): one subscription per (peer, arena),
 * started when the peer connects, resumed from the saved progress after a
 * failure or reconnect, stopped when the peer disconnects or leaves.
 */
export class HistorySubscriptions {
  private readonly running = new Map<string, Running>()
  private stopped = false
  private readonly minRetryMs: number
  private readonly maxRetryMs: number

  constructor (
    private readonly network: Network,
    private readonly arenas: ReadonlyMap<string, SyncArena>,
    private readonly log: Logger,
    options: SubscriptionOptions = {}
  ) {
    this.minRetryMs = options.minRetryMs ?? 1_000
    this.maxRetryMs = options.maxRetryMs ?? 30_000
  }

  start (): void {
    this.network.keeper.on('connected', this.refresh)
    this.network.keeper.on('disconnected', this.refresh)
    this.network.household.on('changed', this.refresh)
    this.refresh()
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.network.keeper.off('connected', this.refresh)
    this.network.keeper.off('disconnected', this.refresh)
    this.network.household.off('changed', this.refresh)
    const all = [...this.running.values()]
    for (const r of all) r.controller.abort()
    await Promise.all(all.map(async (r) => { await r.done }))
  }

  /** Starts what should run and stops what should not, after any change. */
  private readonly refresh = (): void => {
    if (this.stopped) return
    const wanted = new Set<string>()
    for (const peer of this.network.household.peers) {
      if (!this.network.keeper.isConnected(peer.id)) continue
      for (const arena of this.network.household.sharedArenas(peer.id)) {
        if (!this.arenas.has(arena)) continue
        const key = `${peer.id}\0${arena}`
        wanted.add(key)
        if (!this.running.has(key)) this.launch(key, peer.id, arena)
      }
    }
    for (const [key, r] of this.running) if (!wanted.has(key)) r.controller.abort()
  }

  private launch (key: string, peerId: string, arenaName: string): void {
    const controller = new AbortController()
    const done = this.follow(peerId, arenaName, controller.signal)
      .catch((err) => { this.log.error({ err: describeError(err) }, 'history subscription loop failed') })
      .finally(() => {
        if (this.running.get(key)?.controller === controller) this.running.delete(key)
      })
    this.running.set(key, { controller, done })
  }

  private async follow (peerId: string, arenaName: string, signal: AbortSignal): Promise<void> {
    const arena = this.arenas.get(arenaName)
    if (arena == null) return
    let retryMs = this.minRetryMs
    while (!signal.aborted) {
      const peer = this.network.household.member(peerId)
      if (peer == null) return
      const log = this.log.child({ peer: peer.name, arena: arenaName })
      const progress = await arena.store.peerProgress.get(peerId)
      try {
        await subscribeHistory(this.network.host, peer, arenaName, { storeId: progress?.storeId, lastSeen: progress?.lastSeen ?? 0 }, new UnrealHistorySink(arena.tree, arena.store, peerId, log), {
          signal,
          onStarted: () => { retryMs = this.minRetryMs }
        })
      } catch (err) {
        if (err instanceof RealizeError && err.code === 'ARENA_NOT_SHARED') {
          // Their config does not share it with us: nothing to follow until something changes.
          log.info({ err: describeError(err), event: 'history-not-shared' }, 'peer does not share this arena')
          return
        }
        log.warn({ err: describeError(err), retryMs, event: 'history-failed' }, 'history subscription failed')
      }
      await sleep(retryMs, signal)
      retryMs = Math.min(retryMs * 2, this.maxRetryMs)
    }
  }
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
