import { readBlob } from '../../protocols/blob/client.js'
import { hashEquals } from '../types/hash.js'
import type { Network } from '../net/network.js'
import type { UnrealTree } from '../unreal/unreal-tree.js'
import type { RangeSource } from './executors/context.js'

/**
 * File content from peers for churten: household peers that are connected,
 * share the arena and, as far as the unreal tree knows, have the version,
 * read with the blob protocol.
 */
export function networkSource (network: Network, trees: ReadonlyMap<string, UnrealTree>): RangeSource {
  return {
    async peersWith (arena, path, hash) {
      const stat = await trees.get(arena)?.statPath(path).catch(() => undefined)
      if (stat?.kind !== 'file') return []
      const connected = new Set(network.peers().filter((p) => p.connected).map((p) => p.peerId))
      return stat.peers
        .filter((p) => hashEquals(p.version.hash, hash) && connected.has(p.peer) && network.household.shares(p.peer, arena))
        .map((p) => p.peer)
    },
    async * read (peer, arena, path, hash, offset, length, { signal }) {
      const components = { host: network.host, peers: network.household }
      for await (const piece of readBlob(components, peer, { arena, path, hash, offset, length }, { signal })) yield piece.data
    }
  }
}
