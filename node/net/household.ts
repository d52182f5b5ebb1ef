import { EventEmitter } from 'node:events'
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { HouseholdPeer, PeerDirectory } from '../../protocols/common/peers.js'
import type { ArenaConfig, PeerConfig } from '../config/config.js'

export interface HouseholdEvents {
  /** The member list changed (`peer add` / `peer rm` applied to a running node). */
  changed: []
  /** An inbound connection from a PeerId not in the household was refused (every time; Network rate-limits the log). */
  refused: [peerId: string, remoteAddr: string]
}

/**
 * The household (spec section 5): the peers in realize.toml, by PeerId, and
 * which arenas each shares. Nobody else gets a connection, in either
 * direction (`gater()`), and protocol handlers check again (`member`,
 * `shares`), so a change applies to streams already open too.
 */
export class Household extends EventEmitter<HouseholdEvents> implements PeerDirectory {
  private byId = new Map<string, PeerConfig>()
  private arenas = new Set<string>()

  constructor (peers: readonly PeerConfig[], arenas: readonly ArenaConfig[]) {
    super()
    this.update(peers, arenas)
  }

  /** Replaces the member list, e.g. after the config was edited. */
  update (peers: readonly PeerConfig[], arenas: readonly ArenaConfig[]): void {
    this.byId = new Map(peers.map((p) => [p.id, p]))
    this.arenas = new Set(arenas.map((a) => a.name))
    this.emit('changed')
  }

  member (peerId: string): HouseholdPeer | undefined {
    const p = this.byId.get(peerId)
    return p == null ? undefined : { name: p.name, id: p.id }
  }

  config (peerId: string): PeerConfig | undefined {
    return this.byId.get(peerId)
  }

  /** Absent `arenas` in the peer's config means every arena (spec section 7). */
  shares (peerId: string, arena: string): boolean {
    const p = this.byId.get(peerId)
    if (p == null || !this.arenas.has(arena)) return false
    return p.arenas == null || p.arenas.includes(arena as never)
  }

  /** The arenas configured here that `peerId` shares. */
  sharedArenas (peerId: string): string[] {
    return [...this.arenas].filter((a) => this.shares(peerId, a))
  }

  get peers (): PeerConfig[] {
    return [...this.byId.values()]
  }

  /**
   * Refuses strangers at every stage libp2p offers: before dialing them, and
   * for inbound connections as soon as the Noise handshake proves who they are;
   * as a relay, reservations and circuits of anyone but household members.
   */
  gater (): ConnectionGater {
    const stranger = (peerId: PeerId): boolean => !this.byId.has(peerId.toString())
    // The first point where an inbound peer's id is proven: a user adding a new machine looks for it here.
    const inbound = (peerId: PeerId, conn: MultiaddrConnection): boolean => {
      if (!stranger(peerId)) return false
      this.emit('refused', peerId.toString(), conn.remoteAddr.toString())
      return true
    }
    return {
      denyDialPeer: stranger,
      denyInboundEncryptedConnection: inbound,
      denyOutboundEncryptedConnection: stranger,
      denyInboundUpgradedConnection: stranger,
      denyOutboundUpgradedConnection: stranger,
      // As a relay (docs/network.md, "Away from home"): a slot and a circuit for household peers only, at both ends.
      denyInboundRelayReservation: stranger,
      denyOutboundRelayedConnection: (source, destination) => stranger(source) || stranger(destination),
      // Through a relay: the relay must be one of ours too, not only the caller.
      denyInboundRelayedConnection: (relay, remotePeer) => stranger(relay) || stranger(remotePeer),
      // Local addresses are the point of a household on a LAN; libp2p's default refuses none anyway.
      denyDialMultiaddr: () => false
    }
  }
}
