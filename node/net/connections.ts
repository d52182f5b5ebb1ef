import { EventEmitter } from 'node:events'
import { peerIdFromString } from '@libp2p/peer-id'
import { dialInOrder, dialTargets, systemResolver, type Resolver } from './dial.js'
import { reachOf, relayOf, type Reach } from './reached.js'
import { RelayPaths } from './relay-paths.js'
import { bestConnection, isRelayed } from '../../protocols/common/client.js'
import { describeError } from '../../datastore/types/errors.js'
import type { Connection, PeerId } from '@libp2p/interface'
import type { Logger } from '../log.js'
import type { ByteCounter } from './byte-counter.js'
import type { Household } from './household.js'
import type { RealizeHost } from './host.js'

/**
 * One household peer's connection, as `peers` shows it {#conninfo}: the one
 * shape of connection info, from here through the control API (its
 * `PeerInfo` adds the config's addresses and arenas) to the CLI and the
 * TUI. Every connection field is null while the peer is not connected.
 */
export interface ConnectionInfo {
  name: string
  peerId: string
  connected: boolean
  /** ms since epoch when the current connection opened. */
  since: number | null
  remoteAddr: string | null
  direction: 'inbound' | 'outbound' | null
  encryption: string | null
  muxer: string | null
  rttMs: number | null
  /** Summed over the open connections to the peer. */
  bytesIn: number | null
  bytesOut: number | null
  /** How the connection shown is made (reached.ts): direct `lan` or `wan`, or `relayed`. */
  reach: Reach | null
  /** The relay's name (its PeerId if it is not in the household) when `relayed`. */
  relay: string | null
  /** A direct connection that replaced a relayed one (DCUtR, or a dial to an address the peer announced). */
  upgraded: boolean | null
}

/** A peer with no connection (in the config, not yet in the network's household, or not running). */
export function notConnected (name: string, peerId: string): ConnectionInfo {
  return { name, peerId, connected: false, since: null, remoteAddr: null, direction: null, encryption: null, muxer: null, rttMs: null, bytesIn: null, bytesOut: null, reach: null, relay: null, upgraded: null }
}

export interface KeeperOptions {
  /** First retry delay after a failed dial or a disconnect. @default 1_000 */
  minBackoffMs?: number
  /** Retry delays double up to this. @default 60_000 */
  maxBackoffMs?: number
  resolve?: Resolver
}

interface PeerState {
  dialing: boolean
  timer: NodeJS.Timeout | undefined
  backoffMs: number
  /** Last ping round trip, until libp2p's connection monitor reports one. */
  rttMs: number | null
}

export interface KeeperEvents {
  connected: [peerId: string]
  /** Any peer's last connection closed (household or not, e.g. one just removed). */
  disconnected: [peerId: string]
  rtt: [peerId: string, ms: number]
}

/**
 * Keeps every household peer connected while the node runs (spec section
 * 5): dials each at start, again whenever mDNS announces it, and after a
 * failure or a disconnect with exponential backoff (with jitter, reset once
 * connected), forever. Static addresses go first, IPv6 before IPv4
 * {#ipv64}; then whatever libp2p's peer store learned from mDNS; then
 * through a household relay (relay-paths.ts).
 */
export class ConnectionKeeper extends EventEmitter<KeeperEvents> {
  private readonly state = new Map<string, PeerState>()
  /** Paths through household relays and upgrades off them. */
  private readonly paths: RelayPaths
  private running = false
  private readonly stopping = new AbortController()
  private readonly resolve: Resolver
  private readonly minBackoffMs: number
  private readonly maxBackoffMs: number

  constructor (
    private readonly host: RealizeHost,
    private readonly household: Household,
    private readonly counter: ByteCounter,
    private readonly log: Logger,
    options: KeeperOptions = {}
  ) {
    super()
    this.resolve = options.resolve ?? systemResolver
    this.minBackoffMs = options.minBackoffMs ?? 1_000
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000
    // A relay became usable: the peers we miss may be behind it.
    this.paths = new RelayPaths(host, household, log, this.stopping.signal, (relayId) => {
      for (const p of this.household.peers) if (p.id !== relayId && !this.isConnected(p.id)) this.connectSoon(p.id)
    })
  }

  start (): void {
    this.running = true
    this.host.addEventListener('peer:connect', this.onConnect)
    this.host.addEventListener('peer:disconnect', this.onDisconnect)
    this.paths.start()
    this.household.on('changed', this.onHouseholdChanged)
    this.onHouseholdChanged()
  }

  stop (): void {
    this.running = false
    this.stopping.abort()
    this.host.removeEventListener('peer:connect', this.onConnect)
    this.host.removeEventListener('peer:disconnect', this.onDisconnect)
    this.paths.stop()
    this.household.off('changed', this.onHouseholdChanged)
    for (const s of this.state.values()) clearTimeout(s.timer)
  }

  /** Dial now (mDNS saw the peer, or a test wants it), unless connected or already dialing. */
  connectSoon (peerId: string): void {
    const s = this.stateOf(peerId)
    if (s == null) return
    clearTimeout(s.timer)
    s.timer = undefined
    s.backoffMs = this.minBackoffMs
    void this.attempt(peerId)
  }

  private stateOf (peerId: string): PeerState | undefined {
    if (this.household.member(peerId) == null) return undefined
    let s = this.state.get(peerId)
    if (s == null) {
      s = { dialing: false, timer: undefined, backoffMs: this.minBackoffMs, rttMs: null }
      this.state.set(peerId, s)
    }
    return s
  }

  private readonly onHouseholdChanged = (): void => {
    for (const [peerId, s] of this.state) {
      if (this.household.member(peerId) != null) continue
      clearTimeout(s.timer)
      this.state.delete(peerId)
      // A removed member loses its connections at once, not at the next dial.
      void this.host.hangUp(peerIdFromString(peerId)).catch(() => {})
    }
    for (const p of this.household.peers) if (!this.isConnected(p.id)) this.connectSoon(p.id)
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const peerId = evt.detail.toString()
    const s = this.stateOf(peerId)
    if (s == null) return
    clearTimeout(s.timer)
    s.timer = undefined
    s.backoffMs = this.minBackoffMs
    const conn = this.host.getConnections(evt.detail)[0]
    this.log.info({ peer: this.household.member(peerId)?.name, peerId, remoteAddr: conn?.remoteAddr.toString(), direction: conn?.direction, reach: conn == null ? undefined : reachOf(conn.remoteAddr), event: 'peer-connected' }, 'peer connected')
    this.emit('connected', peerId)
    // libp2p's ping dials anew when only a limited (relayed) connection exists; the connection monitor measures those.
    if (conn?.limits == null) void this.measureRtt(peerId, s)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peerId = evt.detail.toString()
    const s = this.stateOf(peerId)
    if (s != null) {
      s.rttMs = null
      this.log.info({ peer: this.household.member(peerId)?.name, peerId, event: 'peer-disconnected' }, 'peer disconnected')
      this.schedule(peerId, s)
    }
    this.emit('disconnected', peerId)
  }

  private async measureRtt (peerId: string, s: PeerState): Promise<void> {
    try {
      s.rttMs = await this.host.services.ping.ping(peerIdFromString(peerId), { signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(10_000)]) })
      this.emit('rtt', peerId, s.rttMs)
    } catch (err) {
      // rtt stays unknown (null); a stopping node or a closing connection is no news.
      if (!this.stopping.signal.aborted && this.isConnected(peerId)) this.log.info({ peerId, err: describeError(err), event: 'ping-failed' }, 'ping failed; round-trip time unknown')
    }
  }

  isConnected (peerId: string): boolean {
    return this.host.getConnections(peerIdFromString(peerId)).some((c) => c.status === 'open')
  }

  private async attempt (peerId: string): Promise<void> {
    const s = this.stateOf(peerId)
    if (!this.running || s == null || s.dialing || this.isConnected(peerId)) return
    s.dialing = true
    try {
      await this.dial(peerId)
    } catch (err) {
      this.log.debug({ peer: this.household.member(peerId)?.name, err: describeError(err), retryMs: s.backoffMs }, 'dial failed')
      this.schedule(peerId, s)
    } finally {
      s.dialing = false
    }
  }

  private schedule (peerId: string, s: PeerState): void {
    if (!this.running || s.timer != null) return
    const delay = s.backoffMs * (0.75 + Math.random() / 2)
    s.backoffMs = Math.min(s.backoffMs * 2, this.maxBackoffMs)
    s.timer = setTimeout(() => {
      s.timer = undefined
      void this.attempt(peerId)
    }, delay)
  }

  /** Static addresses in order {#ipv64}, then the peer store (mDNS). */
  async dial (peerId: string): Promise<Connection> {
    const config = this.household.config(peerId)
    const name = config?.name ?? peerId
    const signal = this.stopping.signal
    if (config != null && config.addrs.length > 0) {
      try {
        return await dialInOrder(this.host, name, await dialTargets(config.addrs, peerId, this.resolve), {
          signal,
          onFailure: (addr, err) => { this.log.debug({ peer: name, addr: addr.toString(), err: describeError(err) }, 'address did not answer; trying the next') }
        })
      } catch (err) {
        const known = await this.host.peerStore.get(peerIdFromString(peerId)).catch(() => undefined)
        if (known == null || known.addresses.length === 0) throw err
      }
    }
    try {
      return await this.host.dial(peerIdFromString(peerId), { signal })
    } catch (err) {
      const relayed = await this.paths.dialThroughRelays(peerId, signal)
      if (relayed == null) throw err
      return relayed
    }
  }

  /** Every household peer, connected or not {#conninfo}. */
  info (): ConnectionInfo[] {
    return this.household.peers.map((p) => {
      const conns = this.host.getConnections(peerIdFromString(p.id)).filter((c) => c.status === 'open')
      // The one data protocols use (protocols/common client): direct before relayed.
      const main = bestConnection(conns)
      let bytesIn = 0
      let bytesOut = 0
      for (const c of conns) {
        const b = this.counter.of(c.timeline)
        bytesIn += b.bytesIn
        bytesOut += b.bytesOut
      }
      if (main == null) return notConnected(p.name, p.id)
      const rtt = main.rtt ?? this.state.get(p.id)?.rttMs ?? null
      return {
        name: p.name,
        peerId: p.id,
        connected: true,
        since: main.timeline.open,
        remoteAddr: main.remoteAddr.toString(),
        direction: main.direction,
        encryption: main.encryption ?? null,
        muxer: main.multiplexer ?? null,
        rttMs: rtt,
        bytesIn,
        bytesOut,
        reach: reachOf(main.remoteAddr),
        relay: this.relayName(main),
        upgraded: isRelayed(main) ? false : this.paths.isUpgrade(main)
      }
    })
  }

  private relayName (conn: Connection): string | null {
    const relay = relayOf(conn.remoteAddr)
    if (relay == null) return null
    return this.household.member(relay)?.name ?? relay
  }
}
