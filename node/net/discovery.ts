import { EventEmitter } from 'node:events'

/** A peer found on the LAN by mDNS (`peers --discovered`). */
export interface DiscoveredPeer {
  peerId: string
  /** What we can dial, link-local addresses with our zone {#ipv64}. */
  addrs: string[]
  /** The family of the last answer heard, and its sender (`fe80::1%eth0` for link-local). */
  family: 4 | 6
  from: string
  inHousehold: boolean
  /** ms since epoch of the last announcement. */
  lastSeen: number
}

/** Most strangers remembered: a busy LAN cannot grow this without bound. */
const MAX_DISCOVERED = 256

/**
 * Peers announced by mDNS. Household members among them are dialed (their
 * addresses are in libp2p's peer store); strangers are only listed, so the
 * user can add them with `peer add`, and never connected.
 */
export class Discovered extends EventEmitter<{ /** A new peer, or new addresses of a known one. */ discovered: [DiscoveredPeer] }> {
  private readonly peers = new Map<string, DiscoveredPeer>()

  constructor (private readonly isMember: (peerId: string) => boolean) {
    super()
  }

  /** Records an announcement; `isNew` when the peer was not listed yet. */
  add (heard: { peerId: string, addrs: readonly unknown[], family: 4 | 6, from: string }): { peer: DiscoveredPeer, isNew: boolean } {
    const { peerId, family, from } = heard
    const entry: DiscoveredPeer = { peerId, addrs: heard.addrs.map(String), family, from, inHousehold: this.isMember(peerId), lastSeen: Date.now() }
    const old = this.peers.get(peerId)
    const isNew = old == null
    this.peers.delete(peerId)
    this.peers.set(peerId, entry)
    if (this.peers.size > MAX_DISCOVERED) this.peers.delete(this.peers.keys().next().value as string)
    // mDNS repeats itself every few seconds; listeners hear of news only.
    if (isNew || old.addrs.join() !== entry.addrs.join() || old.from !== entry.from) this.emit('discovered', entry)
    return { peer: entry, isNew }
  }

  list (): DiscoveredPeer[] {
    return [...this.peers.values()].map((p) => ({ ...p, inHousehold: this.isMember(p.peerId) }))
  }
}
