import { EventEmitter } from 'node:events'
import type { ArenaConfig, PeerConfig } from '../../config/config.js'
import type { Arena } from '../../arena.js'
import type { BlobStore } from '../../blobs/blob-store.js'
import type { Churten } from '../../churten/churten.js'
import type { Logger } from '../../log.js'
import type { Network } from '../../net/network.js'
import type { RateLimits } from '../../net/rate-limit.js'
import type { UnrealTree } from '../../unreal/unreal-tree.js'
import { networkSource } from '../../fetch/network-source.js'
import type { ControlSources, NetworkEvents, NetworkView } from './sources.js'
import { churtenView } from './churten-view.js'
import { unrealView } from './unreal-view.js'

/** The control model's view of the network (node/net/); the unreal's is in unreal-view.ts, churten's in churten-view.ts. */

/** Connection info {#conninfo} and mDNS discoveries from node/net/. */
export function networkView (network: Network, arenas: () => readonly ArenaConfig[]): NetworkView {
  const events = new EventEmitter<NetworkEvents>()
  network.keeper.on('connected', (peerId) => { events.emit('peer', { kind: 'connected', peerId }) })
  network.keeper.on('disconnected', (peerId) => { events.emit('peer', { kind: 'disconnected', peerId }) })
  network.discovered.on('discovered', (d) => { if (!d.inHousehold) events.emit('peer', { kind: 'discovered', peerId: d.peerId }) })
  return {
    events,
    listening: () => network.host.getMultiaddrs().map((a) => a.toString()),
    peers: async () => network.peers(),
    discovered: async () => network.discoveredPeers().map((d) => ({ peerId: d.peerId, addrs: d.addrs, family: d.family, from: d.from })),
    householdChanged: async (peers: readonly PeerConfig[]) => { network.updateHousehold(peers, arenas()) }
  }
}

/** The parts of a running node the views are made over (RealizeNode has them all). */
export interface SourceParts {
  network: Network
  /** One unreal tree and one blob store per arena, by arena name. */
  unreal: ReadonlyMap<string, UnrealTree>
  blobs: ReadonlyMap<string, BlobStore>
  arenas: readonly Arena[]
  /** The config the node runs with (its arenas and peers are read when needed: `peer add` edits them). */
  config: { arenas: readonly ArenaConfig[], peers: readonly PeerConfig[] }
  limits: RateLimits
  cache: { readonly used: number }
  churten: Churten
  log: Logger
}

/** The views LocalNodeModel needs, over the parts of a running node. */
export function controlSources (p: SourceParts): ControlSources {
  return {
    network: networkView(p.network, () => p.config.arenas),
    unreal: unrealView({
      trees: p.unreal,
      blobs: p.blobs,
      arenas: p.arenas,
      source: networkSource(p.network, { limits: p.limits, onDemand: true }),
      peers: () => p.config.peers,
      cacheUsed: () => p.cache.used,
      log: p.log.child({ component: 'control' })
    }),
    churten: churtenView(p.churten)
  }
}

export { unrealView }
