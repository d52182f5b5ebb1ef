import { LanDiscovery, type LanDiscoveryComponents, type LanDiscoveryInit } from './service.js'

/**
 * Finding household peers on the LAN by mDNS over IPv4 and IPv6 {#ipv64}:
 * a libp2p PeerDiscovery on multicast-dns, compatible with @libp2p/mdns on
 * the wire, announcing and dialling only addresses the other side can
 * reach (reach.ts). Usage: docs/network.md.
 */
export function lanDiscovery (init: LanDiscoveryInit = {}): (components: LanDiscoveryComponents) => LanDiscovery {
  return (components) => new LanDiscovery(components, init)
}

export { LanDiscovery, type Heard, type LanDiscoveryInit } from './service.js'
export { MDNS_SERVICE_TAG } from './constants.js'
export { zonedTcp } from './zoned-tcp.js'
