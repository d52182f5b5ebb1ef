import { EventEmitter } from 'node:events'
import type { ArenaConfig, PeerConfig } from '../config/config.js'
import type { Network } from '../net/network.js'
import { churtenControl } from '../churten/service.js'
import { networkSource } from '../fetch/network-source.js'
import type { RealizeNode } from '../node.js'
import type { ControlSources, NetworkEvents, NetworkView } from './sources.js'
import { unrealView } from './unreal-view.js'

/** The control model's view of the network (node/net/); the unreal's is in unreal-view.ts. */

/** Connection info {#conninfo} and mDNS discoveries from node/net/. */
export function networkView (network: Network, arenas: () => readonly ArenaConfig[]): NetworkView {
  const events = new EventEmitter<NetworkEvents>()
  network.keeper.on('connected', (peerId) => { events.emit('peer', { kind: 'connected', peerId }) })
  network.keeper.on('disconnected', (peerId) => { events.emit('peer', { kind: 'disconnected', peerId }) })
  network.discovered.on('discovered', (d) => { if (!d.inHousehold) events.emit('peer', { kind: 'discovered', peerId: d.peerId }) })
  return {
    events,
    listening: () => network.host.getMultiaddrs().map((a) => a.toString()),
    connections: async () => network.peers().filter((p) => p.connected).map((p) => ({
      peerId: p.peerId,
      since: p.since ?? 0,
      remoteAddr: p.remoteAddr ?? '',
      direction: p.direction ?? 'outbound',
      encryption: p.encryption ?? '',
      muxer: p.muxer ?? '',
      rttMs: p.rttMs,
      bytesIn: p.bytesIn,
      bytesOut: p.bytesOut
    })),
    discovered: async () => network.discoveredPeers().map((d) => ({ peerId: d.peerId, addrs: d.addrs })),
    householdChanged: async (peers: readonly PeerConfig[]) => { network.updateHousehold(peers, arenas()) }
  }
}

/** The views LocalNodeModel needs, over the parts of a running node. */
export function controlSources (node: RealizeNode): ControlSources {
  return {
    network: networkView(node.network, () => node.options.config.arenas),
    unreal: unrealView({
      trees: node.unreal,
      blobs: node.blobs,
      arenas: node.arenas,
      source: networkSource(node.network, { limits: node.limits, onDemand: true }),
      peers: () => node.options.config.peers,
      cacheUsed: () => node.cache.used,
      log: node.log.child({ component: 'control' })
    }),
    churten: churtenControl(node.churten)
  }
}

export { unrealView }
