import { EventEmitter } from 'node:events'
import { UnavailableError } from './errors.js'
import type { PeerConfig } from '../config/config.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Version } from '../../datastore/types/version.js'
import type { CallOptions, ChurtenEvent, ChurtenStatus, Content } from './model.js'

/**
 * The parts of the node that other issues build, as LocalNodeModel needs
 * them. Each has a placeholder below that answers honestly "not here yet";
 * the issue that builds the part passes its implementation to
 * LocalNodeModel (see RealizeNode.listenControl in node/node.ts).
 */

/** One live connection {#conninfo}. */
export interface ConnInfo {
  peerId: string
  since: number
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  encryption: string
  muxer: string
  rttMs: number | null
  bytesIn: number
  bytesOut: number
}

export interface NetworkEvents {
  peer: [{ kind: 'connected' | 'disconnected' | 'discovered', peerId: string }]
}

/** To be implemented by node/network/. */
export interface NetworkView {
  readonly available: boolean
  readonly events: EventEmitter<NetworkEvents>
  /** The addresses the node listens on now (wildcards expanded), with /p2p/PEERID. */
  listening: () => string[]
  /** Household peers connected now. */
  connections: (o?: CallOptions) => Promise<ConnInfo[]>
  /** Peers seen by mDNS (household members included). */
  discovered: (o?: CallOptions) => Promise<Array<{ peerId: string, addrs: string[] }>>
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
  /** The cached copy is complete and verified. */
  complete: boolean
}

/** To be implemented by node/unreal/ and node/blobs/. */
export interface UnrealView {
  readonly available: boolean
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

/** To be implemented by node/churten/ (spec section 6). */
export interface ChurtenControl {
  readonly available: boolean
  readonly events: EventEmitter<{ event: [ChurtenEvent] }>
  status: (o?: CallOptions) => Promise<ChurtenStatus>
  start: (o?: CallOptions) => Promise<void>
  stop: (o?: CallOptions) => Promise<void>
}

export interface ControlSources {
  network: NetworkView
  unreal: UnrealView
  churten: ChurtenControl
}

/** Placeholder until node/network/ lands: no connections, nothing discovered. */
export function noNetwork (): NetworkView {
  return {
    available: false,
    events: new EventEmitter(),
    listening: () => [],
    connections: async () => [],
    discovered: async () => [],
    householdChanged: async () => {}
  }
}

/** Placeholder until the unreal cache lands: no remote files, empty cache. */
export function noUnreal (): UnrealView {
  return {
    available: false,
    events: new EventEmitter(),
    list: async () => [],
    lookup: async () => undefined,
    open: async () => undefined,
    arenaUsage: async () => ({ cachedFiles: 0, cachedBytes: 0 }),
    cacheUsed: async () => 0
  }
}

export const CHURTEN_UNAVAILABLE = 'CHURTEN_UNAVAILABLE'

/** Placeholder until node/churten/ lands: reports "not available"; start/stop fail. */
export function noChurten (): ChurtenControl {
  const unavailable = (): never => {
    throw new UnavailableError(CHURTEN_UNAVAILABLE, 'churten is not available on this node (the job runner is not built yet)')
  }
  return {
    available: false,
    events: new EventEmitter(),
    status: async () => ({ available: false, running: false, jobs: 0, active: [] }),
    start: async () => unavailable(),
    stop: async () => unavailable()
  }
}
