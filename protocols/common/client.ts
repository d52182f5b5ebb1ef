import { peerIdFromString } from '@libp2p/peer-id'
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from './constants.js'
import { RequestTimeoutError } from './errors.js'
import { FramedStream } from './framing.js'
import { peerLabel, type PeerDirectory } from './peers.js'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'

/** What opening a stream needs of the host: its connections (to pick one) and a dial when there is none. */
export type StreamHost = Pick<Libp2p, 'dialProtocol' | 'getConnections'>

export interface OpenOptions {
  signal?: AbortSignal
  /** @default DEFAULT_MAX_MESSAGE_BYTES */
  maxMessageBytes?: number
  /** Time to get the stream open (dial + protocol negotiation). @default DEFAULT_REQUEST_TIMEOUT_MS */
  timeoutMs?: number
}

/**
 * Opens a stream of `protocol` to a household peer (over the existing
 * connection, dialing if there is none) as a FramedStream. Callers wrap
 * failures with `wrapPeerError(operation, err)` {#errormsg}.
 */
export async function openStream (host: StreamHost, peerId: string, protocol: string, options: OpenOptions = {}): Promise<FramedStream> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
  try {
    const raw = await rawStream(host, peerId, protocol, signal)
    return new FramedStream(raw, { maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES })
  } catch (err) {
    if (timeout.aborted && options.signal?.aborted !== true) throw new RequestTimeoutError(`opening ${protocol}`, timeoutMs)
    throw err
  }
}

/**
 * The direct connection if there is one (LAN, WAN, hole punched), else a
 * relayed one, limited or not: libp2p's own `dialProtocol` skips limited
 * (relayed) connections and dials anew, which for a peer behind a NAT only
 * fails. No connection: libp2p dials.
 */
async function rawStream (host: StreamHost, peerId: string, protocol: string, signal: AbortSignal): Promise<Stream> {
  const id = peerIdFromString(peerId)
  const conn = bestConnection(host.getConnections(id))
  if (conn != null) return await conn.newStream(protocol, { signal, runOnLimitedConnection: true })
  return await host.dialProtocol(id, protocol, { signal, runOnLimitedConnection: true })
}

/** Open connections, direct before relayed, then the oldest (the one `peers` shows). */
export function bestConnection (conns: readonly Connection[]): Connection | undefined {
  const open = conns.filter((c) => c.status === 'open')
  open.sort((a, b) => Number(isRelayed(a)) - Number(isRelayed(b)) || a.timeline.open - b.timeline.open)
  return open[0]
}

/** A connection through a circuit relay (`.../p2p/RELAY/p2p-circuit/p2p/PEER`). */
export function isRelayed (conn: Pick<Connection, 'remoteAddr'>): boolean {
  return conn.remoteAddr.getComponents().some((c) => c.name === 'p2p-circuit')
}

/** A signal that fires after `ms` or with `parent`, for one exchange on an open stream. */
export function deadline (ms: number, parent?: AbortSignal, what = 'request'): AbortSignal {
  const c = new AbortController()
  const timer = setTimeout(() => { c.abort(new RequestTimeoutError(what, ms)) }, ms)
  timer.unref?.()
  return parent == null ? c.signal : AbortSignal.any([parent, c.signal])
}

/** What a data-protocol client (blob, hash, rsync) needs of the node. */
export interface DataClientComponents {
  host: StreamHost
  /** For peer names in error messages (`from laptop`); the PeerId is used without it. */
  peers?: Pick<PeerDirectory, 'member'>
}

export function peerName (components: DataClientComponents, peerId: string): string {
  return peerLabel(components.peers, peerId)
}

export function describeRange (req: { arena: string, path: string, offset: number, length: number }): string {
  return `${req.arena}/${req.path} [${req.offset}, ${req.offset + req.length})`
}
