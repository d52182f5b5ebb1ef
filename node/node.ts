import { mkdir } from 'node:fs/promises'
import { Arena } from './arena.js'
import { openGlobalStore } from './stores.js'
import { createLogger, type Logger } from './log.js'
import { Notices } from './notices.js'
import { explainStoreOpenFailure, removePidFile, writePidFile } from './pid-file.js'
import { describeError } from '../datastore/types/errors.js'
import { Network, type NetworkOptions } from './net/network.js'
import { Sync } from './sync/sync.js'
import { UnrealTree } from './unreal/unreal-tree.js'
import { BlobCache } from './blobs/blob-cache.js'
import { BlobStore, blobDir, type BlobStoreOptions } from './blobs/blob-store.js'
import { RealSource } from './sync/real-source.js'
import { startDataServers } from './sync/real-source-servers.js'
import { createChurten } from './churten/service.js'
import { Holds } from './churten/holds.js'
import { startHoldServer } from '../protocols/hold/server.js'
import { rateLimits, type RateLimits } from './net/rate-limit.js'
import type { Churten } from './churten/churten.js'
import type { ChurtenNotification } from './churten/types.js'
import { ControlServer } from './control/server/server.js'
import { LocalNodeModel } from './control/server/local-model.js'
import { controlSources } from './control/server/adapters.js'
import type { GlobalStore } from '../datastore/global-store.js'
import type { Config } from './config/config.js'
import type { Identity } from './identity/identity.js'
import type { Faults } from '../protocols/faults.js'
import type { ArenaMount } from './fs/index.js'
import { networkSource } from './fetch/network-source.js'

/**
 * A running node: config + identity + stores + arenas.
 *
 *   config ─> arenas: watcher -> index -> history      (the real)
 *          ─> network (libp2p, household) ─> sync: history published,
 *             peers' history followed into each arena's unreal tree,
 *             data servers (blob, hash, rsync) serving the real,
 *             hold server (a peer's drop waits for our promise to keep the real)
 *          ─> blob cache: one BlobStore per arena, shared capacity
 *          ─> churten: dirty paths -> jobs (download, realize, unrealize)
 */
export interface RunNodeOptions {
  dataDir: string
  config: Config
  identity: Identity
  log?: Logger
  /**
   * Where `log`'s warnings and errors also go (the control API's notice
   * topic); give the same to createLogger. Made here when `log` is not given.
   */
  notices?: Notices
  /** Network and sync settings tests change (backoff, resolver, intervals, trim delay). */
  network?: Partial<Pick<NetworkOptions, 'minBackoffMs' | 'maxBackoffMs' | 'resolve' | 'mdnsIntervalMs' | 'pingIntervalMs'>> & { trimDelayMs?: number }
  /** Test hooks: fault injection {#testretries} and churten's retry timing. */
  testing?: NodeTesting
}

export interface NodeTesting {
  /** Faults in this node's data servers (blob, hash, rsync). */
  dataFaults?: Faults
  /** Faults in churten's reads from peers (blob, hash, rsync clients and the writes they make). */
  clientFaults?: Faults
  /** First retry delay of a failed job. @default 1000 */
  backoffMs?: number
  maxBackoffMs?: number
  /** How often arena roots are tested again (spec section 4). @default 2000 */
  recheckMs?: number
  /** Crash and race points in the blob stores (node/blobs/blob-store.ts FaultPoint). */
  blobFaults?: BlobStoreOptions['faults']
}

export class RealizeNode {
  private constructor (
    readonly options: RunNodeOptions,
    readonly log: Logger,
    readonly global: GlobalStore,
    readonly arenas: Arena[],
    /** One unreal tree per arena, by arena name (one per process: it allocates inodes). */
    readonly unreal: Map<string, UnrealTree>,
    readonly network: Network,
    readonly sync: Sync,
    readonly cache: BlobCache,
    /** One blob store per arena, by arena name. */
    readonly blobs: Map<string, BlobStore>,
    readonly churten: Churten,
    /** Bandwidth limits from the config {#churtenlimit}; on-demand reads take `limits.download`. */
    readonly limits: RateLimits,
    /** Warnings and errors as they are logged, for the control API's notice topic. */
    readonly notices: Notices,
    /** Holds granted to peers and drops under way (node/churten/holds.ts). */
    readonly holds: Holds
  ) {}

  private stopDataServers: (() => Promise<void>) | undefined
  /** The metrics endpoint (`[metrics] listen`), once start() opened it. */
  private metrics: { url: string, close: () => Promise<void> } | undefined
  private stopHoldServer: (() => Promise<void>) | undefined

  /** The FUSE mount of the arenas (`[fuse] mountpoint`), once start() mounted it. */
  mount: ArenaMount | undefined

  /** The control API (`<data>/control.sock`) once listenControl ran. */
  control: { server: ControlServer, model: LocalNodeModel } | undefined

  /** Serves the control API; idempotent. start() calls it first, so clients can watch the catch-up. */
  async listenControl (): Promise<ControlServer> {
    if (this.control != null) return this.control.server
    const model = new LocalNodeModel(
      { dataDir: this.options.dataDir, peerId: this.options.identity.peerId.toString(), config: this.options.config, arenas: this.arenas, log: this.log, notices: this.notices, mountInfo: () => this.mount?.info() ?? null },
      controlSources({ network: this.network, unreal: this.unreal, blobs: this.blobs, arenas: this.arenas, config: this.options.config, limits: this.limits, cache: this.cache, churten: this.churten, log: this.log })
    )
    try {
      this.control = { server: await ControlServer.listen({ dataDir: this.options.dataDir, model, log: this.log }), model }
    } catch (err) {
      model.close()
      throw err
    }
    return this.control.server
  }

  static async open (options: RunNodeOptions): Promise<RealizeNode> {
    const notices = options.notices ?? new Notices()
    const log = options.log ?? createLogger({ notices })
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
    let global: GlobalStore
    try {
      global = await openGlobalStore(options.dataDir)
    } catch (err) {
      throw await explainStoreOpenFailure(options.dataDir, err)
    }
    // The store's lock is ours now: say so for a second `start`.
    await writePidFile(options.dataDir).catch((err) => { log.warn({ err: describeError(err) }, 'could not write the pid file') })
    const arenas: Arena[] = []
    const unreal = new Map<string, UnrealTree>()
    const blobs = new Map<string, BlobStore>()
    try {
      const cache = await BlobCache.open(options.dataDir, options.config.cache.capacity)
      for (const a of options.config.arenas) {
        const arena = await Arena.open({ name: a.name, root: a.root, mark: a.mark, dataDir: options.dataDir, log: log.child({ arena: a.name }), recheckMs: options.testing?.recheckMs })
        arenas.push(arena)
        // Made before the network starts (a new arena's root is there even if
        // the port is taken); a root that cannot be made pauses the arena at start.
        await arena.rootCheck?.createIfNew().catch(() => {})
        const store = await BlobStore.open({ store: arena.store, dir: blobDir(options.dataDir, a.name), cache, faults: options.testing?.blobFaults })
        blobs.set(a.name, store)
        unreal.set(a.name, await UnrealTree.open(arena.store, global.inodeRanges, a.name, { blobs: store }))
      }
      const { config } = options
      const network = await Network.create({
        ...options.network,
        identity: options.identity,
        listen: config.node.listen,
        mdns: config.node.mdns,
        announce: config.node.announce,
        relay: config.relay,
        peers: config.peers,
        arenas: config.arenas,
        log
      })
      const sync = new Sync({
        network,
        arenas: arenas.map((a) => ({ name: a.name, store: a.store, index: a.index, tree: unreal.get(a.name) as UnrealTree })),
        inactiveAfterMs: config.history.inactiveAfterMs,
        trimDelayMs: options.network?.trimDelayMs,
        log
      })
      const limits = rateLimits(config.limits)
      const testing = options.testing ?? {}
      const holds = new Holds({
        self: options.identity.peerId.toString(),
        // A paused arena's index may list files whose root is away: nothing to promise.
        real: async (name, path) => {
          const a = arenas.find((x) => x.name === name)
          return a == null || a.root == null || a.paused != null ? undefined : await a.index.get(path)
        }
      })
      const churten = createChurten({
        arenas, trees: unreal, blobs, network, batchBytes: config.churten.batchBytes, log, limits,
        faults: testing.clientFaults, backoffMs: testing.backoffMs, maxBackoffMs: testing.maxBackoffMs, holds
      })
      return new RealizeNode(options, log, global, arenas, unreal, network, sync, cache, blobs, churten, limits, notices, holds)
    } catch (err) {
      for (const b of blobs.values()) await b.close().catch(() => {})
      for (const a of arenas) await a.close().catch(() => {})
      await global.close()
      await removePidFile(options.dataDir)
      throw err
    }
  }

  /**
   * Starts the network and every arena's watcher; resolves once all have
   * caught up. `onListening` hears the bound addresses as soon as the
   * network listens (the CLI shows them: pairing needs them before any
   * catch-up is done).
   */
  async start (options: { onListening?: (addrs: string[]) => void } = {}): Promise<void> {
    this.log.info({ peerId: this.options.identity.peerId.toString(), dataDir: this.options.dataDir }, 'node starting')
    await this.listenControl()
    // Listening first: a port in use fails the start before anything else runs.
    await this.network.start()
    options.onListening?.(this.network.addrs)
    await this.startMetrics()
    await this.startMount()
    const byName = new Map(this.arenas.map((a) => [a.name as string, a]))
    this.stopDataServers = await startDataServers({ host: this.network.host, peers: this.network.household, log: this.log }, { source: new RealSource((name) => byName.get(name)), faults: this.options.testing?.dataFaults, upload: this.limits.upload })
    this.stopHoldServer = await startHoldServer({ host: this.network.host, peers: this.network.household, log: this.log }, { grant: async (peer, arena, path, hash) => await this.holds.grant(peer, arena, path, hash) })
    await this.sync.start()
    await Promise.all(this.arenas.map(async (a) => {
      const w = a.watcher
      if (w == null) return
      w.on('error', (err) => { this.log.error({ arena: a.name, err: describeError(err) }, 'watcher error') })
      w.on('caughtUp', (r) => { this.log.info({ arena: a.name, files: r.files, changed: r.changed, ms: r.ms, event: 'caught-up' }, 'catch-up done') })
      w.on('reconciled', (path, r) => { if (r.changed > 0) this.log.debug({ arena: a.name, path, changed: r.changed }, 'changes indexed') })
      // An error, so it is a notice too (the TUI's log, `subscribe notice`).
      w.on('paused', (err) => { this.log.error({ arena: a.name, root: a.root, code: err.code, hint: err.hint, event: 'arena-paused' }, `${describeError(err)}. ${err.hint}`) })
      w.on('resumed', () => { this.log.info({ arena: a.name, root: a.root, event: 'arena-resumed' }, 'arena resumed: its root is back and caught up') })
      await w.start()
      await a.removeLeftovers()
    }))
    if (this.options.config.churten.autostart) this.churten.start()
    this.log.info({ event: 'ready' }, 'node ready')
  }

  /**
   * Serves Prometheus metrics when the config asks for it (node/metrics/);
   * loaded only then, like the mount.
   */
  private async startMetrics (): Promise<void> {
    const listen = this.options.config.metrics?.listen
    if (listen == null) return
    const m = await import('./metrics/index.js')
    const counts = m.arenaCounts(this.arenas)
    const { registry, close } = m.metricsRegistry({
      protocolBytes: () => this.network.bytes.protocolBytes(),
      peerName: (id) => this.options.config.peers.find((p) => p.id === id)?.name ?? id,
      onJobEnded: (listener) => {
        const on = (n: ChurtenNotification): void => { if (n.type === 'ended') listener(n.job, n.result) }
        this.churten.on('notification', on)
        return () => { this.churten.off('notification', on) }
      },
      cache: () => ({ used: this.cache.used, capacity: this.cache.capacity }),
      arenas: counts.read,
      churten: () => ({ running: this.churten.isRunning, jobs: this.churten.jobCount })
    })
    const server = await m.startMetricsServer(listen, registry, this.log).catch((err) => { close(); counts.close(); throw err })
    this.metrics = { url: server.url, close: async () => { await server.close(); close(); counts.close() } }
  }

  /**
   * Mounts the arenas when the config asks for it; a mount point that is
   * busy or not empty fails the start (MountError). The fs module, and
   * with it the FUSE library, is loaded only then.
   */
  private async startMount (): Promise<void> {
    const mountpoint = this.options.config.fuse?.mountpoint
    if (mountpoint == null) return
    const { mountArenas } = await import('./fs/index.js')
    this.mount = await mountArenas({
      mountpoint,
      arenas: this.arenas,
      trees: this.unreal,
      blobs: this.blobs,
      source: networkSource(this.network, { limits: this.limits, onDemand: true }),
      cache: () => ({ capacity: this.cache.capacity, used: this.cache.used }),
      log: this.log,
      readWaitMs: this.options.config.fuse?.readTimeoutMs
    })
  }

  async stop (): Promise<void> {
    // First: reads through the mount use everything below.
    await this.mount?.unmount()
    await this.control?.server.close()
    this.control?.model.close()
    await this.metrics?.close()
    await this.churten.stop()
    await this.sync.stop()
    await this.stopDataServers?.()
    await this.stopHoldServer?.()
    await this.network.stop()
    for (const b of this.blobs.values()) await b.close()
    for (const a of this.arenas) await a.close()
    await this.global.close()
    await removePidFile(this.options.dataDir)
    this.log.info({ event: 'stopped' }, 'node stopped')
  }
}
