import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_STREAMS_PER_PEER, DEFAULT_REQUEST_TIMEOUT_MS } from './constants.js'
import { ArenaNotSharedError, NotInHouseholdError, ProtocolViolationError, RequestTimeoutError, TooManyStreamsError, toWireError } from './errors.js'
import { FramedStream } from './framing.js'
import { describeError } from '../../datastore/types/errors.js'
import type { HouseholdPeer, PeerDirectory } from './peers.js'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import type { Logger } from 'pino'

/** One inbound request, checked against the household, with its limits in place. */
export interface InboundRequest {
  stream: FramedStream
  peer: HouseholdPeer
  connection: Connection
  /** Aborted at the request timeout or when the service stops. */
  signal: AbortSignal
  log: Logger
  /** Throws ArenaNotSharedError unless `arena` is shared with this peer {#household}. */
  checkArena: (arena: string) => void
  /**
   * Stops the request timeout: for long-lived streams (history
   * subscriptions) once the request is accepted; they time out reads themselves.
   */
  clearTimeout: () => void
}

export type RequestHandler = (request: InboundRequest) => Promise<void>

export interface ServeOptions {
  /** @default DEFAULT_MAX_STREAMS_PER_PEER */
  maxStreamsPerPeer?: number
  /** @default DEFAULT_REQUEST_TIMEOUT_MS */
  timeoutMs?: number
  /** @default DEFAULT_MAX_MESSAGE_BYTES */
  maxMessageBytes?: number
}

export interface ServeComponents {
  host: Pick<Libp2p, 'handle' | 'unhandle'>
  peers: PeerDirectory
  log: Logger
}

/**
 * Registers a Realize protocol handler with everything every handler needs
 * (spec section 5, "Limits", and section 8):
 *
 *   stream ─> household member? ─> under the per-peer stream limit?
 *          ─> handler(request) with a timeout signal
 *          ─> failure: error frame to the peer {#errormsg}, then close;
 *             protocol violation or timeout: reset the stream
 *
 * Returns the function that unregisters it and aborts requests in flight.
 */
export async function serve (components: ServeComponents, protocol: string, handler: RequestHandler, options: ServeOptions = {}): Promise<() => Promise<void>> {
  const maxStreams = options.maxStreamsPerPeer ?? DEFAULT_MAX_STREAMS_PER_PEER
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const stopping = new AbortController()
  const active = new Map<string, number>()
  const log = components.log.child({ protocol })

  const onStream = async (raw: Stream, connection: Connection): Promise<void> => {
    const peerId = connection.remotePeer.toString()
    const peer = components.peers.member(peerId)
    if (peer == null) {
      log.warn({ peerId, event: 'stranger-refused' }, 'stream from a peer not in the household')
      raw.abort(new NotInHouseholdError(peerId))
      return
    }
    // Counted per peer, not per connection: a peer could open several connections.
    const count = active.get(peerId) ?? 0
    if (count >= maxStreams) {
      log.warn({ peer: peer.name, max: maxStreams, event: 'stream-limit' }, 'too many concurrent streams; resetting')
      raw.abort(new TooManyStreamsError(protocol, maxStreams))
      return
    }
    active.set(peerId, count + 1)
    const stream = new FramedStream(raw, { maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES })
    const timeout = new AbortController()
    const timer = setTimeout(() => { timeout.abort(new RequestTimeoutError(`${protocol} request from ${peer.name}`, timeoutMs)) }, timeoutMs)
    const signal = AbortSignal.any([timeout.signal, stopping.signal])
    const request: InboundRequest = {
      stream,
      peer,
      connection,
      signal,
      log: log.child({ peer: peer.name }),
      checkArena: (arena) => {
        if (!components.peers.shares(peerId, arena)) throw new ArenaNotSharedError(arena)
      },
      clearTimeout: () => { clearTimeout(timer) }
    }
    try {
      await handler(request)
      if (raw.writeStatus === 'writable') await stream.close({ signal }).catch(() => {})
    } catch (err) {
      await fail(stream, request, signal.aborted ? signal.reason : err)
    } finally {
      clearTimeout(timer)
      const left = (active.get(peerId) ?? 1) - 1
      if (left === 0) active.delete(peerId)
      else active.set(peerId, left)
    }
  }

  await components.host.handle(protocol, onStream, {
    // libp2p's own cap is per connection; ours above is per peer. Keep libp2p's out of the way.
    maxInboundStreams: maxStreams + 1,
    maxOutboundStreams: maxStreams * 4,
    // A household peer away from home may be reachable only through a relay
    // with limits (docs/network.md, "Away from home"): every Realize protocol
    // works over it, slower; the relay's limits end the circuit, not us.
    runOnLimitedConnection: true
  })
  return async () => {
    stopping.abort(new Error('stopping'))
    await components.host.unhandle(protocol)
  }
}

/** Tells the peer what went wrong when that is useful, else resets the stream. */
async function fail (stream: FramedStream, request: InboundRequest, err: unknown): Promise<void> {
  const e = err instanceof Error ? err : new Error(String(err))
  const reset = e instanceof ProtocolViolationError || e instanceof RequestTimeoutError || request.stream.stream.status !== 'open'
  request.log.warn({ err: describeError(e), code: (e as { code?: string }).code, reset, event: 'request-failed' }, 'request failed')
  if (reset || request.stream.stream.writeStatus !== 'writable') {
    stream.abort(e)
    return
  }
  try {
    const signal = AbortSignal.timeout(5_000)
    await stream.writeError(toWireError(e), { signal })
    await stream.close({ signal })
  } catch (writeErr) {
    stream.abort(writeErr as Error)
  }
}
