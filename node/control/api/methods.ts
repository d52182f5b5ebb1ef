import { z } from 'zod'
import { TOPICS } from './model.js'
import type {
  ArenaInfo, ChurtenStatus, ConflictInfo, Content, DiscoveredPeer, LsEntry, MarkInfo, PeerConfigJson, PeerInfo,
  ResumeResult, SetMarkResult, StatusInfo, Topic
} from './model.js'

/**
 * The control API's methods (docs/control.md): parameter schemas checked
 * by the server, and the types the client sees. Method names are
 * `noun` or `noun.verb`; every params value is an object (or absent).
 */

const none = z.strictObject({}).optional()
const target = { arena: z.string(), path: z.string().default('') }

export const methodParams = {
  status: none,
  arenas: none,
  /** `ARENA:path` or a file system path (relative to `cwd`) -> arena and path {#setmark}. */
  resolve: z.strictObject({ target: z.string(), cwd: z.string().default('/') }),
  peers: none,
  'peers.discovered': none,
  'peer.add': z.strictObject({ name: z.string(), peerId: z.string(), addrs: z.array(z.string()).default([]), arenas: z.array(z.string()).optional() }),
  'peer.rm': z.strictObject({ name: z.string() }),
  'mark.get': z.strictObject(target),
  'mark.set': z.strictObject({ ...target, mark: z.string() }),
  'mark.rm': z.strictObject(target),
  ls: z.strictObject({
    ...target,
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).optional(),
    snapshot: z.number().int().optional(),
    /** A name to look for: the answer says where it is and the page returned is the one holding it. */
    find: z.string().optional(),
    /** `json`: the page's entries as JSON text in `json` (for a client that only passes them on, like `ls --json`). */
    as: z.enum(['objects', 'json']).default('objects')
  }),
  cat: z.strictObject(target),
  conflicts: none,
  /** Resume a paused arena, accepting its root as it is (spec section 4). */
  'arena.resume': z.strictObject({ arena: z.string() }),
  'churten.status': none,
  /** `untilDisconnect`: the node stops churten when this connection closes (`churten run`) {#churten-run}. */
  'churten.start': z.strictObject({ untilDisconnect: z.boolean().default(false) }).optional(),
  'churten.stop': none,
  'churten.subscribe': none,
  subscribe: z.strictObject({ topics: z.array(z.enum(TOPICS as [Topic, ...Topic[]])).min(1) }),
  unsubscribe: z.strictObject({ subscription: z.number().int() })
} as const

export type MethodName = keyof typeof methodParams
export const METHODS = Object.keys(methodParams) as MethodName[]

/** One page of a listing; `snapshot` names the listing so later pages come from the same one. */
export interface LsPage {
  snapshot: number
  total: number
  offset: number
  /** Empty when asked `as: "json"`. */
  entries: LsEntry[]
  /** The entries as a JSON array, when asked `as: "json"`. */
  json?: string
  /** Index of `find`; -1 when it is not there; absent without `find`. */
  found?: number
}

export interface CatResult { source: Content['source'], size: number, bytes: number }

export interface Subscribed { subscription: number }

type In<M extends MethodName> = z.input<(typeof methodParams)[M]>

export interface MethodResults {
  status: StatusInfo
  arenas: ArenaInfo[]
  resolve: { arena: string, path: string }
  peers: PeerInfo[]
  'peers.discovered': DiscoveredPeer[]
  'peer.add': PeerConfigJson
  'peer.rm': PeerConfigJson
  'mark.get': MarkInfo
  'mark.set': SetMarkResult
  'mark.rm': SetMarkResult
  ls: LsPage
  cat: CatResult
  conflicts: ConflictInfo[]
  'arena.resume': ResumeResult
  'churten.status': ChurtenStatus
  'churten.start': ChurtenStatus
  'churten.stop': ChurtenStatus
  'churten.subscribe': Subscribed
  subscribe: Subscribed
  unsubscribe: { ok: true }
}

export type ParamsOf<M extends MethodName> = In<M>
export type ResultOf<M extends MethodName> = MethodResults[M]

export { CAT_NOTIFICATION, EVENT_NOTIFICATION } from './jsonrpc.js'
