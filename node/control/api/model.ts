import type { ChurtenAction, JobResult as JobOutcome } from '../../churten/types.js'
import type { EventEmitter } from 'node:events'
import type { Mark } from '../../../datastore/types/mark.js'
import type { PeerConfigJson } from '../../config/household.js'
import type { ConnectionInfo } from '../../net/connections.js'

/**
 * The node as the control API sees it: a narrow interface the server
 * dispatches to (like Syncthing's protocol -> model boundary). Everything
 * here is plain JSON so it crosses the socket as is. LocalNodeModel
 * (../server/local-model.ts) implements it over narrow views of the
 * running node (../server/sources.ts).
 *
 * JSON conventions (docs/control.md): times are milliseconds since the
 * epoch, hashes lowercase hex, sizes bytes, "unknown" is null.
 */

export interface CallOptions { signal?: AbortSignal }

export interface VersionJson { hash: string, size: number, mtime: number }

export interface ArenaInfo {
  name: string
  root: string | null
  mark: Mark
  realFiles: number
  realBytes: number
  cachedFiles: number
  cachedBytes: number
  /**
   * `paused`: the root is missing, not a directory, unreadable, not the
   * folder that was indexed, or emptied (spec section 4). Nothing of it is
   * reconciled, published or touched by churten until it resumes.
   */
  state: 'active' | 'paused'
  /** Why the arena is paused and what to do; null while active. */
  error: ArenaError | null
}

export interface ArenaError {
  /** ROOT_MISSING, ROOT_NOT_DIRECTORY, ROOT_UNREADABLE, ROOT_MARKER_MISSING, ROOT_EMPTY or CATCH_UP_FAILED. */
  code: string
  /** Which arena, which root, what was found, with the cause chain. */
  message: string
  /** What the user can do. */
  hint: string
  /** When the arena paused (ms since the epoch). */
  since: number
}

export interface ResumeResult {
  /** False when the arena was not paused. */
  resumed: boolean
  arena: ArenaInfo
}

export interface CacheInfo {
  /** Bytes; `cache.capacity` resolved against the data directory's file system. */
  capacity: number
  /** Allocated bytes of blobs (0 until the unreal cache is wired). */
  used: number
}

/** A household peer as the config has it, with its connection info {#conninfo} (one shape: node/net/connections.ts). */
export interface PeerInfo extends PeerConfigJson, ConnectionInfo {}

export interface DiscoveredPeer {
  peerId: string
  /** The addresses this node can dial, link-local ones with its zone (`/ip6zone/eth0/ip6/fe80::…`) {#ipv64}. */
  addrs: string[]
  /** The IP family of the mDNS answer last heard, and its sender's address. */
  family: 4 | 6
  from: string
  inHousehold: boolean
  /** The household name when `inHousehold`. */
  name: string | null
}

// A household peer as realize.toml has it (node/config/household.ts makes it for the CLI and the node alike).
export type { PeerConfigJson }

// The control API speaks churten's own vocabulary (node/churten/types.ts).
export type { ChurtenAction, JobOutcome }

export interface ChurtenJob {
  id: number
  arena: string
  path: string
  /** What the job does overall: download (keep), realize (own), unrealize, delete. */
  kind: 'download' | 'realize' | 'unrealize' | 'delete'
  state: 'pending' | 'running'
  /** The step running now. */
  action: ChurtenAction | null
  bytes: number
  total: number
}

export interface ChurtenStatus {
  /** Always true: every node has a job runner (the field stays for clients that read it). */
  available: true
  running: boolean
  /** Jobs pending or running. */
  jobs: number
  active: ChurtenJob[]
}

/** The churten notification stream (spec section 6). */
export type ChurtenEvent =
  | { type: 'state', running: boolean }
  | { type: 'pending', job: ChurtenJob }
  | { type: 'started', job: ChurtenJob }
  | { type: 'action', id: number, action: ChurtenAction }
  | { type: 'progress', id: number, bytes: number, total: number }
  | { type: 'ended', id: number, outcome: JobOutcome, error: string | null }

export interface StatusInfo {
  peerId: string
  dataDir: string
  /** The addresses the node listens on now, with /p2p/PEERID (what `id` prints for a running node). */
  addrs: string[]
  /** Always true: every node has a network layer (the field stays for clients that read it). */
  network: true
  churten: ChurtenStatus
  arenas: ArenaInfo[]
  cache: CacheInfo
  peers: Array<{ name: string, peerId: string, connected: boolean }>
  /** The FUSE mount of the arenas (node/fs/); null when none is configured. Optional for older nodes. */
  mount?: MountStatus | null
}

export interface MountStatus {
  path: string
  state: 'mounted' | 'unmounted' | 'failed'
  error: string | null
  since: number
}

export interface MarkInfo {
  arena: string
  path: string
  mark: Mark
  /** `ARENA:path` of the marked ancestor (`ARENA:` for the arena's own mark); null when the path carries the mark itself. */
  inheritedFrom: string | null
  /** Where the mark comes from: the path itself, an ancestor, the arena config, or the built-in default. */
  source: 'path' | 'ancestor' | 'arena' | 'default'
}

export interface SetMarkResult extends MarkInfo {
  /** Where it was written {#setmark}: the file's xattr, the marks table (path known only from peers), or the config (an arena). */
  stored: 'xattr' | 'table' | 'config'
  /** True when nothing is at the path yet (not on disk, not in the index, no peer has it): the mark applies when it appears. */
  pending: boolean
}

/**
 * Where a file's content is. `unverified`: every byte is in the cache but its
 * hash has not been checked (yet): never shown or served as a cached copy.
 */
export type Location = 'real' | 'cached' | 'unverified' | 'partial' | 'remote'

export interface LsEntry {
  name: string
  /** Path inside the arena. */
  path: string
  type: 'file' | 'dir'
  /** File size; for a directory, the bytes of the files below it. */
  size: number
  /** File mtime; for a directory, the newest mtime below it. */
  mtime: number
  hash: string | null
  mark: Mark
  location: Location
  /** Fraction of the content held here (1 for real or fully cached). */
  cached: number
  /** Names (or ids, for peers not in the config) of the peers holding this version. */
  peers: string[]
  /** Files below a directory; null for a file. */
  files: number | null
}

export interface ConflictInfo {
  arena: string
  path: string
  local: VersionJson | null
  remote: Array<{ peer: string, peerId: string } & VersionJson>
}

/** Content being streamed by `cat`. */
export interface Content {
  source: 'real' | 'cache' | 'peer'
  size: number
  chunks: AsyncIterable<Uint8Array>
}

export type NodeEvent =
  /** Files changed in the real or the unreal (one committed batch); `paths` is capped, `count` is the total. */
  | { type: 'index', arena: string, source: 'real' | 'unreal', paths: string[], count: number }
  /** Marks changed; path '' is the arena's own mark. */
  | { type: 'marks', arena: string, changes: Array<{ path: string, mark: Mark | null }> }
  | { type: 'peers', kind: 'connected' | 'disconnected' | 'discovered', peerId: string, name: string | null }
  | { type: 'household', change: 'added' | 'removed', peer: PeerConfigJson }
  | { type: 'churten', event: ChurtenEvent }
  | { type: 'notice', level: 'info' | 'warn' | 'error', message: string }

export type Topic = NodeEvent['type']
export const TOPICS: readonly Topic[] = ['index', 'marks', 'peers', 'household', 'churten', 'notice']

export interface NodeModelEvents { event: [NodeEvent] }

export interface NodeModel {
  /** Every event the node publishes; the server filters by topic per subscription. */
  readonly events: EventEmitter<NodeModelEvents>
  status: (o?: CallOptions) => Promise<StatusInfo>
  arenas: (o?: CallOptions) => Promise<ArenaInfo[]>
  /** What a user means by `ARENA:path` or a file system path (relative to `cwd`) {#setmark}. */
  resolve: (target: string, cwd: string, o?: CallOptions) => Promise<{ arena: string, path: string }>
  peers: (o?: CallOptions) => Promise<PeerInfo[]>
  discoveredPeers: (o?: CallOptions) => Promise<DiscoveredPeer[]>
  /** `arenas`: share only these (absent or empty: every arena). */
  addPeer: (peer: { name: string, peerId: string, addrs: string[], arenas?: string[] }, o?: CallOptions) => Promise<PeerConfigJson>
  removePeer: (name: string, o?: CallOptions) => Promise<PeerConfigJson>
  getMark: (arena: string, path: string, o?: CallOptions) => Promise<MarkInfo>
  /** `mark` null removes the path's own mark. */
  setMark: (arena: string, path: string, mark: Mark | null, o?: CallOptions) => Promise<SetMarkResult>
  /** The merged listing of a directory (or the one entry of a file), sorted by name. */
  ls: (arena: string, path: string, o?: CallOptions) => Promise<LsEntry[]>
  cat: (arena: string, path: string, o?: CallOptions) => Promise<Content>
  conflicts: (o?: CallOptions) => Promise<ConflictInfo[]>
  churtenStatus: (o?: CallOptions) => Promise<ChurtenStatus>
  churtenStart: (o?: CallOptions) => Promise<ChurtenStatus>
  churtenStop: (o?: CallOptions) => Promise<ChurtenStatus>
  /**
   * Tests a paused arena's root now and resumes it, accepting the root as
   * it is (an emptied root's deletions are then published). Fails with the
   * reason when the root is still missing or unreadable.
   */
  resumeArena: (arena: string, o?: CallOptions) => Promise<ResumeResult>
}
