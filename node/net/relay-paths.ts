import { peerIdFromString } from '@libp2p/peer-id'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import { circuitAddr, directPublic } from './reached.js'
import { bestConnection, isRelayed } from '../../protocols/common/client.js'
import { describeError, wrapError } from '../../datastore/types/errors.js'
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log.js'
import type { Household } from './household.js'
import type { RealizeHost } from './host.js'

/** How often peers reached only through a relay are looked at again for a direct path. */
const UPGRADE_SWEEP_MS = 15_000

/**
 * The keeper's paths through household relays and off them (issue 17,
 * docs/network.md "Away from home"):
 *
 *   identify ── lists the hop protocol ──> a relay: `onRelay` (retry the peers we miss)
 *            └─ a peer we reach only relayed declares public addresses ──> dial them, close the relayed
 *   dialThroughRelays(peer) ── each connected relay in turn: <relay addr>/p2p/R/p2p-circuit/p2p/PEER
 *   connection:open ── direct while a relayed one is open ──> an upgrade (`peers`: upgraded from relay)
 */
export class RelayPaths {
  /**
   * Household peers whose identify lists the relay hop protocol. From
   * identify itself, not the peer store: libp2p records there every
   * protocol a peer opened a stream of, so a peer that took a slot on our
   * relay would look like a relay too.
   */
  private readonly relays = new Set<string>()
  /**
   * Peers whose connection began relayed and are still connected: a direct
   * connection to one is an upgrade. Per peer, not per connection: DCUtR and
   * our own dial may both open one, and whichever stays is the upgrade.
   */
  private readonly startedRelayed = new Set<string>()
  /** Peers whose upgrade failed since they connected: later failures are logged at debug level (the sweep retries). */
  private readonly failed = new Set<string>()
  /** Peers an upgrade dial is under way to (one at a time each). */
  private readonly upgrading = new Set<string>()
  private sweepTimer: NodeJS.Timeout | undefined

  constructor (
    private readonly host: RealizeHost,
    private readonly household: Household,
    private readonly log: Logger,
    private readonly stopping: AbortSignal,
    /** A household relay became usable. */
    private readonly onRelay: (relayId: string) => void
  ) {}

  start (): void {
    // Identify may come before the circuit counts as open, or on a duplicate circuit that then closes: look again now and then.
    this.sweepTimer = setInterval(() => { for (const p of this.household.peers) void this.tryUpgrade(p.id, []) }, UPGRADE_SWEEP_MS)
    this.sweepTimer.unref()
    this.host.addEventListener('peer:identify', this.onIdentify)
    this.host.addEventListener('peer:disconnect', this.onDisconnect)
    this.host.addEventListener('connection:open', this.onConnectionOpen)
  }

  stop (): void {
    clearInterval(this.sweepTimer)
    this.host.removeEventListener('peer:identify', this.onIdentify)
    this.host.removeEventListener('peer:disconnect', this.onDisconnect)
    this.host.removeEventListener('connection:open', this.onConnectionOpen)
  }

  /** A direct connection to a peer first reached through a relay (since it last disconnected). */
  isUpgrade (conn: Connection): boolean {
    return !isRelayed(conn) && this.startedRelayed.has(conn.remotePeer.toString())
  }

  /**
   * Through each connected household relay, in turn: the way to a peer
   * behind a NAT when no address of it answers. Undefined when no relay is
   * connected; the last relay's error when all failed.
   */
  async dialThroughRelays (peerId: string, signal: AbortSignal): Promise<Connection | undefined> {
    let last: unknown
    for (const p of this.household.peers) {
      if (p.id === peerId || !this.relays.has(p.id)) continue
      const relayConn = bestConnection(this.host.getConnections(peerIdFromString(p.id)))
      if (relayConn == null || isRelayed(relayConn)) continue
      try {
        return await this.host.dial(circuitAddr(relayConn.remoteAddr, p.id, peerId), { signal })
      } catch (err) {
        last = wrapError(`dialling ${this.household.member(peerId)?.name ?? peerId} through relay ${p.name}`, err, 'DIAL_FAILED')
      }
    }
    if (last != null) throw last
    return undefined
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, listenAddrs } = evt.detail
    const id = peerId.toString()
    if (this.household.member(id) == null) return
    if (!protocols.includes(RELAY_V2_HOP_CODEC)) {
      this.relays.delete(id)
    } else if (!this.relays.has(id)) {
      this.relays.add(id)
      this.onRelay(id)
    }
    void this.tryUpgrade(id, listenAddrs)
  }

  /** A peer reached only through a relay, with public direct addresses (identify's, the peer store's): dial them. */
  private async tryUpgrade (peerId: string, heard: readonly Multiaddr[]): Promise<void> {
    const id = peerIdFromString(peerId)
    const conns = this.host.getConnections(id).filter((c) => c.status === 'open')
    if (conns.length === 0 || !conns.every(isRelayed) || this.upgrading.has(peerId)) return
    const stored = (await this.host.peerStore.get(id).catch(() => undefined))?.addresses.map((a) => a.multiaddr) ?? []
    const direct = directPublic([...heard, ...stored]).map((a) => a.getComponents().some((c) => c.name === 'p2p') ? a : a.encapsulate(`/p2p/${peerId}`))
    const unique = [...new Map(direct.map((a) => [a.toString(), a])).values()]
    if (unique.length === 0 || this.upgrading.has(peerId)) return
    this.upgrading.add(peerId)
    try {
      await this.upgrade(peerId, unique)
    } finally {
      this.upgrading.delete(peerId)
    }
  }

  /**
   * Dials a relayed peer's public addresses, whichever side opened the
   * circuit (DCUtR's unilateral upgrade runs only on the side that accepted
   * it); on success the relayed connections close: the relay is for when
   * nothing else works.
   */
  private async upgrade (peerId: string, addrs: Multiaddr[]): Promise<void> {
    const name = this.household.member(peerId)?.name
    try {
      const conn = await this.host.dial(addrs, { signal: AbortSignal.any([this.stopping, AbortSignal.timeout(10_000)]) })
      if (isRelayed(conn)) return
      this.log.info({ peer: name, peerId, remoteAddr: conn.remoteAddr.toString(), event: 'peer-upgraded' }, 'relayed connection replaced by a direct one')
      for (const c of this.host.getConnections(peerIdFromString(peerId))) if (isRelayed(c)) await c.close().catch(() => {})
    } catch (err) {
      if (this.stopping.aborted) return
      const level = this.failed.has(peerId) ? 'debug' : 'info'
      this.failed.add(peerId)
      this.log[level]({ peer: name, peerId, addrs: addrs.map(String), err: describeError(err), event: 'upgrade-failed' }, 'no direct connection to the addresses the peer announced; staying relayed')
    }
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.relays.delete(evt.detail.toString())
    this.startedRelayed.delete(evt.detail.toString())
    this.failed.delete(evt.detail.toString())
  }

  private readonly onConnectionOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    const id = conn.remotePeer.toString()
    const others = this.host.getConnections(conn.remotePeer).filter((c) => c !== conn && c.status === 'open')
    if (isRelayed(conn)) {
      if (others.length === 0) this.startedRelayed.add(id)
      return
    }
    if (!others.some(isRelayed)) return
    const peer = this.household.member(id)
    if (peer != null) this.log.info({ peer: peer.name, remoteAddr: conn.remoteAddr.toString(), event: 'direct-after-relay' }, 'direct connection opened beside a relayed one')
  }
}
