import { EventEmitter } from 'node:events'
import type { ArenaConfig, PeerConfig } from '../config/config.js'
import type { Network } from '../net/network.js'
import type { RelPath } from '../types/path.js'
import type { UnrealTree } from '../unreal/unreal-tree.js'
import type { UnrealStat } from '../unreal/types.js'
import type { NetworkEvents, NetworkView, UnrealItem, UnrealView } from './sources.js'
import { noUnreal } from './sources.js'
import { UnavailableError } from './errors.js'
import { InvalidInputError } from '../types/errors.js'

/**
 * The control model's views of parts built elsewhere, as far as they exist:
 * the network (node/net/) and the unreal tree (node/unreal/). The blob
 * cache is not wired into the node yet, so nothing reads as cached and
 * `cat` of a remote file is not available; see docs/control.md.
 */

/** Connection info {#conninfo} and mDNS discoveries from node/net/. */
export function networkView (network: Network, arenas: () => readonly ArenaConfig[]): NetworkView {
  const events = new EventEmitter<NetworkEvents>()
  network.keeper.on('connected', (peerId) => { events.emit('peer', { kind: 'connected', peerId }) })
  network.keeper.on('disconnected', (peerId) => { events.emit('peer', { kind: 'disconnected', peerId }) })
  network.discovered.on('discovered', (d) => { if (!d.inHousehold) events.emit('peer', { kind: 'discovered', peerId: d.peerId }) })
  return {
    available: true,
    events,
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

/** Remote files from each arena's unreal tree (versions and peers; no cache yet). */
export function unrealView (trees: ReadonlyMap<string, UnrealTree>, peers: () => readonly PeerConfig[]): UnrealView {
  const nameOf = (id: string): string => peers().find((p) => p.id === id)?.name ?? id
  const none = noUnreal()
  const events = new EventEmitter<{ changed: [arena: string, paths: RelPath[]] }>()
  for (const [arena, tree] of trees) tree.on('changed', (paths) => { events.emit('changed', arena, paths) })
  const item = (name: string, s: UnrealStat): UnrealItem => s.kind === 'dir'
    ? { name, type: 'dir', peers: [], cachedBytes: 0, complete: false }
    : { name, type: 'file', version: s.chosen, peers: s.peers.map((p) => ({ peerId: p.peer, version: p.version })), cachedBytes: 0, complete: false }
  return {
    ...none,
    available: true,
    events,
    list: async (arena, dir, o) => {
      const tree = trees.get(arena)
      const d = await tree?.lookupPath(dir)
      if (tree == null || d == null || d.kind !== 'dir') return []
      const out: UnrealItem[] = []
      for (const e of await tree.readdir(d.inode, o)) {
        const s = await tree.stat(e.inode)
        if (s != null) out.push(item(e.name, s))
      }
      return out
    },
    lookup: async (arena, path) => {
      const s = await trees.get(arena)?.statPath(path)
      return s == null ? undefined : item(path.slice(path.lastIndexOf('/') + 1), s)
    },
    open: async (arena, path) => {
      const s = await trees.get(arena)?.statPath(path)
      if (s == null) return undefined
      if (s.kind === 'dir') throw new InvalidInputError('IS_A_DIRECTORY', `${arena}:${path} is a directory`)
      // Wired when the blob cache and the blob protocol join the node.
      throw new UnavailableError('REMOTE_READ_UNAVAILABLE', `${arena}:${path} is only on peers (${s.peers.map((p) => nameOf(p.peer)).join(', ')}); reading remote content is not available on this node yet`)
    }
  }
}
