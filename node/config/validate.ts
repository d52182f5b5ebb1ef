import { checkArenaNames, parseArenaName, type ArenaName } from '../../datastore/types/arena.js'
import { ConfigError } from '../../datastore/types/errors.js'
import type { ArenaConfig, Config, PeerConfig } from './config.js'
import { isSameOrInside } from './paths.js'
import { dottedKey, type RawConfig } from './schema.js'

/**
 * Checks between entries that a per-value schema cannot see, and the
 * conversion from TOML's snake_case tables to the typed Config.
 */

export interface Where { file?: string, dataDir?: string }

function fail (where: Where, path: PropertyKey[], message: string, cause?: unknown): never {
  throw new ConfigError(message, { file: where.file, key: dottedKey(path), cause })
}

function checkArenas (raw: RawConfig, where: Where): ArenaConfig[] {
  const arenas: ArenaConfig[] = []
  for (const [name, a] of Object.entries(raw.arenas)) {
    let arenaName: ArenaName
    try {
      arenaName = parseArenaName(name)
    } catch (err) {
      fail(where, ['arenas', name], (err as Error).message)
    }
    if (a.mark === 'own' && a.root == null) {
      // own means "realize into the arena root"; without a root there is nowhere to put the files.
      fail(where, ['arenas', name, 'mark'], 'mark "own" needs a root: add root = "/path" or use keep or watch')
    }
    arenas.push(a.root == null ? { name: arenaName, mark: a.mark } : { name: arenaName, root: a.root, mark: a.mark })
  }
  try {
    checkArenaNames(arenas.map((a) => a.name))
  } catch (err) {
    fail(where, ['arenas'], (err as Error).message)
  }
  for (const a of arenas) {
    if (a.root == null) continue
    // Two watchers over the same files would index and sync them twice, under two names.
    for (const b of arenas) {
      if (b === a || b.root == null) continue
      if (a.root === b.root) fail(where, ['arenas', a.name, 'root'], `${JSON.stringify(a.root)} is also the root of arena ${JSON.stringify(b.name)}`)
      if (isSameOrInside(a.root, b.root)) fail(where, ['arenas', a.name, 'root'], `${JSON.stringify(a.root)} is inside the root of arena ${JSON.stringify(b.name)} (${JSON.stringify(b.root)})`)
    }
    // The node must never sync its own database, nor write arena files into it.
    if (where.dataDir != null) {
      if (isSameOrInside(where.dataDir, a.root)) fail(where, ['arenas', a.name, 'root'], `${JSON.stringify(a.root)} contains the data directory ${JSON.stringify(where.dataDir)}`)
      if (isSameOrInside(a.root, where.dataDir)) fail(where, ['arenas', a.name, 'root'], `${JSON.stringify(a.root)} is inside the data directory ${JSON.stringify(where.dataDir)}`)
    }
  }
  return arenas
}

/** Peer names appear in CLI arguments and listings; keep them printable and unambiguous. */
function checkPeerName (name: string): string | undefined {
  if (name === '') return 'empty peer name'
  if (name.length > 64) return 'peer name longer than 64 characters'
  if (/\p{Cc}/u.test(name)) return 'peer name contains control characters'
  if (name.trim() !== name) return 'peer name starts or ends with spaces'
  return undefined
}

function checkPeers (raw: RawConfig, arenas: ArenaConfig[], where: Where): PeerConfig[] {
  const known = new Set<string>(arenas.map((a) => a.name))
  const byId = new Map<string, string>()
  const peers: PeerConfig[] = []
  for (const [name, p] of Object.entries(raw.peers)) {
    const bad = checkPeerName(name)
    if (bad != null) fail(where, ['peers', name], `${bad}: ${JSON.stringify(name)}`)
    const other = byId.get(p.id)
    if (other != null) fail(where, ['peers', name, 'id'], `PeerId ${p.id} is already used by peer ${JSON.stringify(other)}`)
    byId.set(p.id, name)
    const peer: PeerConfig = { name, id: p.id, addrs: p.addrs }
    if (p.arenas != null) {
      const seen = new Set<string>()
      for (const [i, arena] of p.arenas.entries()) {
        if (!known.has(arena)) fail(where, ['peers', name, 'arenas', i], `unknown arena ${JSON.stringify(arena)}${known.size > 0 ? ` (known: ${[...known].join(', ')})` : ' (no arenas are configured)'}`)
        if (seen.has(arena)) fail(where, ['peers', name, 'arenas', i], `arena ${JSON.stringify(arena)} is listed twice`)
        seen.add(arena)
      }
      peer.arenas = p.arenas as ArenaName[]
    }
    peers.push(peer)
  }
  return peers
}

/**
 * The mount point may neither lie in nor contain an arena root or the data
 * directory: the node would then read its own mount (the watcher, the
 * scanner) and wait on itself forever (node/fs/operations.ts).
 */
export function checkMountpoint (mountpoint: string | undefined, arenas: readonly ArenaConfig[], where: Where): void {
  if (mountpoint == null) return
  const bad = (message: string): never => fail(where, ['fuse', 'mountpoint'], `${JSON.stringify(mountpoint)} ${message}`)
  for (const a of arenas) {
    if (a.root == null) continue
    if (isSameOrInside(mountpoint, a.root)) bad(`is inside the root of arena ${JSON.stringify(a.name)} (${JSON.stringify(a.root)})`)
    if (isSameOrInside(a.root, mountpoint)) bad(`contains the root of arena ${JSON.stringify(a.name)} (${JSON.stringify(a.root)})`)
  }
  if (where.dataDir != null) {
    if (isSameOrInside(mountpoint, where.dataDir)) bad(`is inside the data directory ${JSON.stringify(where.dataDir)}`)
    if (isSameOrInside(where.dataDir, mountpoint)) bad(`contains the data directory ${JSON.stringify(where.dataDir)}`)
  }
}

export function toConfig (raw: RawConfig, where: Where): Config {
  const arenas = checkArenas(raw, where)
  const peers = checkPeers(raw, arenas, where)
  checkMountpoint(raw.fuse.mountpoint, arenas, where)
  return {
    node: { listen: raw.node.listen, mdns: raw.node.mdns, ...(raw.node.announce.length === 0 ? {} : { announce: raw.node.announce }) },
    ...(raw.relay == null ? {} : { relay: { serve: raw.relay.serve, maxCircuitDurationMs: raw.relay.max_circuit_duration, maxCircuitDataBytes: raw.relay.max_circuit_data } }),
    limits: { upload: raw.limits.upload, download: raw.limits.download, churtenDownload: raw.limits.churten_download },
    cache: { capacity: raw.cache.capacity },
    churten: { autostart: raw.churten.autostart, batchBytes: raw.churten.batch_bytes },
    history: { inactiveAfterMs: raw.history.inactive_after },
    arenas,
    peers,
    ...(raw.metrics.listen == null ? {} : { metrics: { listen: raw.metrics.listen } }),
    ...(raw.fuse.mountpoint == null && raw.fuse.read_timeout == null
      ? {}
      : { fuse: { ...(raw.fuse.mountpoint == null ? {} : { mountpoint: raw.fuse.mountpoint }), ...(raw.fuse.read_timeout == null ? {} : { readTimeoutMs: raw.fuse.read_timeout }) } })
  }
}
