import type { EventEmitter } from 'node:events'
import type { Config, PeerConfig } from '../../config/config.js'
import type { ConnectionInfo } from '../../net/connections.js'
import type { Arena } from '../../arena.js'
import type { Logger } from '../../log.js'
import type { Notices } from '../../notices.js'
import type { RelPath } from '../../../datastore/types/path.js'
import type { Version } from '../../../datastore/types/version.js'
import type { CallOptions, ChurtenEvent, ChurtenStatus, Content, MountStatus } from '../api/model.js'

/**
 * The parts of a running node that LocalNodeModel reads through narrow
 * views, so the control API depends on what it shows, not on how the
 * network, the unreal cache and churten work. adapters.ts makes them over
 * the real parts (RealizeNode.listenControl in node/node.ts hands them over).
 */

export interface NetworkEvents {
  peer: [{ kind: 'connected' | 'disconnected' | 'discovered', peerId: string }]
}

/** The network (node/net/), made by `networkView` in adapters.ts. */
export interface NetworkView {
  readonly events: EventEmitter<NetworkEvents>
  /** The addresses the node listens on now (wildcards expanded), with /p2p/PEERID. */
  listening: () => string[]
  /** Household peers with connection info {#conninfo} (node/net/connections.ts, the one shape of it). */
  peers: (o?: CallOptions) => Promise<ConnectionInfo[]>
  /** Peers seen by mDNS (household members included). */
  discovered: (o?: CallOptions) => Promise<Array<{ peerId: string, addrs: string[], family: 4 | 6, from: string }>>
  /** The household changed (peer add/rm): let new peers in, drop removed ones. */
  householdChanged: (peers: readonly PeerConfig[], o?: CallOptions) => Promise<void>
}

/** What the unreal knows of one child of a directory. */
export interface UnrealItem {
  name: string
  type: 'file' | 'dir'
  /** The chosen version (files). */
  version?: Version
  /** Every peer's version of the file, by PeerId. */
  peers: Array<{ peerId: string, version: Version }>
  /** Bytes of the chosen version held in the blob cache. */
  cachedBytes: number
  /** The cached copy is complete and verified (a directory: every file below it is). */
  complete: boolean
  /**
   * A directory's files below it, their bytes and newest mtime (chosen
   * versions), as far as a bounded walk counted them; absent for a file, or
   * for a directory too large to walk for one listing.
   */
  below?: { files: number, bytes: number, mtime: number }
}

/** The unreal trees (node/unreal/) and the blob cache (node/blobs/), made by `unrealView` in unreal-view.ts. */
export interface UnrealView {
  readonly events: EventEmitter<{ changed: [arena: string, paths: RelPath[]] }>
  /** Children of `dir` known from peers; [] when none. */
  list: (arena: string, dir: RelPath, o?: CallOptions) => Promise<UnrealItem[]>
  /** One path; undefined when no peer has it. */
  lookup: (arena: string, path: RelPath, o?: CallOptions) => Promise<UnrealItem | undefined>
  /** Content of a remote file from the cache, else from a peer (filling the cache); undefined when no peer has it. */
  open: (arena: string, path: RelPath, o?: CallOptions) => Promise<Content | undefined>
  arenaUsage: (arena: string, o?: CallOptions) => Promise<{ cachedFiles: number, cachedBytes: number }>
  /** Allocated bytes of the whole blob cache. */
  cacheUsed: (o?: CallOptions) => Promise<number>
}

/** The job runner (node/churten/, spec section 6), made by `churtenView` in churten-view.ts. */
export interface ChurtenView {
  readonly events: EventEmitter<{ event: [ChurtenEvent] }>
  status: (o?: CallOptions) => Promise<ChurtenStatus>
  start: (o?: CallOptions) => Promise<void>
  stop: (o?: CallOptions) => Promise<void>
}

export interface ControlSources {
  network: NetworkView
  unreal: UnrealView
  churten: ChurtenView
}

/**
 * What LocalNodeModel reads of the running node itself: its identity, the
 * config it runs with (edited in place by `peer add`/`peer rm` and arena
 * marks), the arenas (index, marks, root, pause state) and the log.
 */
export interface NodeFacts {
  dataDir: string
  peerId: string
  config: Config
  arenas: readonly Arena[]
  log: Logger
  /** Warnings and errors as they are logged (the `notice` topic). */
  notices: Notices
  /** The FUSE mount's state (node/fs/), asked each time: the mount comes after the control API. */
  mountInfo?: () => MountStatus | null
}
