import { peerIdFromString } from '@libp2p/peer-id'
import type { ByteCounter } from './byte-counter.js'
import { createHost, type RealizeHost } from './host.js'
import { ConnectionKeeper, type ConnectionInfo, type KeeperOptions } from './connections.js'
import { Discovered, type DiscoveredPeer } from './discovery.js'
import { StrangerRefusals } from './refusals.js'
import { Household } from './household.js'
import { describeError, RealizeError, wrapError } from '../../datastore/types/errors.js'
import type { Heard } from './mdns/index.js'
import type { ArenaConfig, PeerConfig, RelayConfig } from '../config/config.js'
import type { Identity } from '../identity/identity.js'
import type { Logger } from '../log.js'

export interface NetworkOptions extends KeeperOptions {
  identity: Identity
  listen: readonly string[]
  mdns: boolean
  peers: readonly PeerConfig[]
  arenas: readonly ArenaConfig[]
  log: Logger
  mdnsIntervalMs?: number
  pingIntervalMs?: number
  announce?: readonly string[]
  relay?: RelayConfig
}

/**
 * This node on the network (spec section 5):
 *
 *   Household (config peers) ──gater──> libp2p host (TCP v4+v6, Noise, Yamux, mDNS v4+v6,
 *                                        circuit relay v2, DCUtR, AutoNAT: relay.ts)
 *        │                                  │ lan 'heard' (node/net/mdns)
 *        └──> ConnectionKeeper <── Discovered (strangers listed, never dialed)
 *               dial / reconnect with backoff (direct, then through a
 *               household relay), upgrade to direct, RTT, reach {#conninfo}
 *
 * Protocols register on `host` through protocols/common `serve` with
 * `household` as their PeerDirectory.
 */
export class Network {
  private constructor (
    readonly host: RealizeHost,
    readonly household: Household,
    readonly keeper: ConnectionKeeper,
    readonly discovered: Discovered,
    private readonly log: Logger,
    private readonly listen: readonly string[],
    /** Bytes per connection {#conninfo}, and per peer and protocol (the metrics endpoint). */
    readonly bytes: ByteCounter
  ) {}

  static async create (options: NetworkOptions): Promise<Network> {
    const household = new Household(options.peers, options.arenas)
    const log = options.log.child({ component: 'network' })
    const { host, counter } = await createHost({
      privateKey: options.identity.privateKey,
      listen: options.listen,
      gater: household.gater(),
      mdns: options.mdns,
      mdnsIntervalMs: options.mdnsIntervalMs,
      pingIntervalMs: options.pingIntervalMs,
      announce: options.announce,
      relay: options.relay
    })
    // A protocol stream's peer: the connection whose muxer holds it.
    counter.peerOfStream = (stream) => host.getConnections().find((c) => c.streams.includes(stream))?.remotePeer.toString()
    const keeper = new ConnectionKeeper(host, household, counter, log, options)
    const discovered = new Discovered((id) => household.member(id) != null)
    return new Network(host, household, keeper, discovered, log, options.listen, counter)
  }

  get peerId (): string {
    return this.host.peerId.toString()
  }

  /** The addresses actually bound, with `/p2p/<PeerId>`. */
  get addrs (): string[] {
    return this.host.getMultiaddrs().map(String)
  }

  async start (): Promise<void> {
    this.host.services.lan?.addEventListener('heard', this.onHeard)
    this.household.on('refused', this.onRefused)
    try {
      await this.host.start()
    } catch (err) {
      throw wrapError(`listening on ${this.listen.join(', ')}`, listenCause(err), 'LISTEN_FAILED')
    }
    this.log.info({ addrs: this.addrs, event: 'listening' }, 'listening')
    this.host.addEventListener('self:peer:update', this.onSelfUpdate)
    if (this.host.services.relay != null) this.log.info({ event: 'relay-serving' }, 'relaying for household peers')
    this.keeper.start()
  }

  async stop (): Promise<void> {
    this.keeper.stop()
    this.host.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.host.services.lan?.removeEventListener('heard', this.onHeard)
    this.household.off('refused', this.onRefused)
    try {
      await this.host.stop()
    } catch (err) {
      this.log.warn({ err: describeError(err) }, 'stopping libp2p')
    }
  }

  /** Applies an edited household (`peer add` / `peer rm` on a running node). */
  updateHousehold (peers: readonly PeerConfig[], arenas: readonly ArenaConfig[]): void {
    this.household.update(peers, arenas)
  }

  /** Household peers with connection info {#conninfo}. */
  peers (): ConnectionInfo[] {
    return this.keeper.info()
  }

  /** Peers seen by mDNS, household or not (`peers --discovered`). */
  discoveredPeers (): DiscoveredPeer[] {
    return this.discovered.list()
  }

  /** Our relayed addresses (a slot on a household relay) as they come and go. */
  private relayedAddrs = ''
  private readonly onSelfUpdate = (): void => {
    const relayed = this.addrs.filter((a) => a.includes('/p2p-circuit')).sort()
    if (relayed.join(' ') === this.relayedAddrs) return
    this.relayedAddrs = relayed.join(' ')
    this.log.info({ addrs: relayed, event: 'relay-addrs' }, relayed.length > 0 ? 'reachable through a household relay' : 'no relay slot')
  }

  private readonly refusals = new StrangerRefusals()

  /** A warning, so the TUI's log pane shows it too: the PeerId is what `peer add` needs. */
  private readonly onRefused = (peerId: string, remoteAddr: string): void => {
    if (!this.refusals.report(peerId)) return
    this.log.warn({ peerId, remoteAddr, event: 'stranger-refused' }, `refused a connection from ${peerId} at ${remoteAddr}: not in the household (\`peer add NAME ${peerId}\` to let it in)`)
  }

  /** Every mDNS answer: listed; a household peer not connected is dialed at the addresses heard. */
  private readonly onHeard = (evt: CustomEvent<Heard>): void => {
    const { peer: d, isNew } = this.discovered.add(evt.detail)
    // Strangers are logged once: they are for the user to add, never dialed.
    if (isNew) this.log.info({ peerId: d.peerId, addrs: d.addrs, family: d.family, from: d.from, inHousehold: d.inHousehold, event: 'peer-discovered' }, d.inHousehold ? 'household peer discovered' : 'unknown peer discovered (not in the household; `peer add` to let it in)')
    if (!d.inHousehold || this.keeper.isConnected(d.peerId)) return
    // In the peer store before dialing: libp2p's own merge of the 'peer' event may not have finished.
    void this.host.peerStore.merge(peerIdFromString(d.peerId), { multiaddrs: evt.detail.addrs })
      .then(() => { this.keeper.connectSoon(d.peerId) })
      .catch((err: unknown) => { this.log.warn({ peerId: d.peerId, err: describeError(err) }, 'recording the addresses mDNS found') })
  }
}

/**
 * libp2p reports listen failures as one message with a stack trace per
 * address; keep one line per address ("/ip4/0.0.0.0/tcp/9771: listen
 * EADDRINUSE: address already in use 0.0.0.0:9771") so the CLI prints it
 * once, readable.
 */
function listenCause (err: unknown): unknown {
  const message = err instanceof Error ? err.message : ''
  const lines = [...message.matchAll(/^\s*(\/\S+): (?:Error: )?(.+)$/gm)].map((m) => `${m[1] as string}: ${m[2] as string}`)
  if (lines.length === 0) return err
  const code = /\b(E[A-Z]+)\b/.exec(lines.join(' '))?.[1]
  return new RealizeError(code ?? 'LISTEN_FAILED', lines.join('; '), { cause: undefined })
}
