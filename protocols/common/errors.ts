import { RealizeError } from '../../datastore/types/errors.js'
import type { WireCause, WireError } from './wire.js'

/**
 * Errors that cross the wire {#errormsg}. A failure on the serving side is
 * sent as code + message + cause chain (`toWireError`); the receiving side
 * rebuilds it (`fromWireError`, a `PeerRemoteError` whose message is `remote`)
 * and wraps it with what it was doing and with which peer
 * (`wrapPeerError`), so the CLI prints it once, whole:
 *
 *   downloading photos/a.jpg from laptop: remote: reading a.jpg: ENOENT: no such file
 *
 * Local failures during a peer operation get `local` in the same place, and
 * transport failures (stream reset, connection closed) `connection`.
 */

/** Longest message and deepest chain accepted from a peer: they are printed, and peers are only trusted so far. */
const MAX_WIRE_MESSAGE = 1024
const MAX_WIRE_CAUSES = 16

/** A peer broke the protocol: malformed, truncated, oversized or unexpected message. The stream is reset. */
export class ProtocolViolationError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('PROTOCOL_VIOLATION', message, options)
  }
}

/** A frame longer than the protocol allows. */
export class MessageTooLargeError extends ProtocolViolationError {
  constructor (length: number, max: number) {
    super(`message of ${length} bytes exceeds the limit of ${max} bytes`)
  }
}

/** The stream ended in the middle of a frame or before an expected reply. */
export class TruncatedMessageError extends ProtocolViolationError {}

/** The peer is not in the household (the gater should have refused it; handlers check again). */
export class NotInHouseholdError extends RealizeError {
  constructor (peerId: string) {
    super('NOT_IN_HOUSEHOLD', `peer ${peerId} is not in the household`)
  }
}

/** A household peer asked about an arena it does not share with us (or that we do not have). */
export class ArenaNotSharedError extends RealizeError {
  constructor (arena: string) {
    super('ARENA_NOT_SHARED', `arena ${JSON.stringify(arena)} is not shared with this peer`)
  }
}

/** A request took longer than its protocol's timeout. */
export class RequestTimeoutError extends RealizeError {
  constructor (what: string, ms: number) {
    super('TIMEOUT', `${what}: no answer within ${ms} ms`)
  }
}

/** More concurrent streams than a peer may open for one protocol. */
export class TooManyStreamsError extends RealizeError {
  constructor (protocol: string, max: number) {
    super('TOO_MANY_STREAMS', `more than ${max} concurrent ${protocol} streams from this peer`)
  }
}

/**
 * The stream or connection closed under a request. libp2p rejects a write
 * waiting for `drain` (and some stream waits) with the stream's close
 * *event* rather than an Error; `asError` turns it into this.
 */
export class StreamClosedError extends RealizeError {
  constructor (message = 'the stream closed', options?: { cause?: unknown }) {
    super('STREAM_CLOSED', message, options)
  }
}

/** An Error for anything thrown: a libp2p close event becomes its error, or a StreamClosedError. */
export function asError (err: unknown): unknown {
  if (!(err instanceof Event)) return err
  const inner = (err as Event & { error?: unknown }).error
  if (inner instanceof Error) return inner
  return new StreamClosedError(err.type === 'close' ? 'the stream closed' : `the stream ended (${err.type})`)
}

/** Which side of a peer operation failed. */
export type Side = 'local' | 'remote' | 'connection'

/** The marker between the operation and the cause: `...from laptop: local: EACCES`. */
export class SideError extends RealizeError {
  constructor (readonly side: Side, code: string, options: { cause?: unknown }) {
    super(code, side, options)
  }
}

/** A failure that happened on the other peer, rebuilt from the wire; its causes are the peer's chain. */
export class PeerRemoteError extends SideError {
  constructor (code: string, options: { cause?: unknown }) {
    super('remote', code, options)
  }
}

function codeOf (err: unknown): string {
  if (err instanceof RealizeError) return err.code
  const code = (err as { code?: unknown })?.code
  if (typeof code === 'string' && code !== '') return code
  const name = (err as { name?: unknown })?.name
  return typeof name === 'string' && name !== '' && name !== 'Error' ? name : 'FAILED'
}

function clip (s: string): string {
  // Control characters would let a peer forge lines in our logs and terminal.
  const clean = s.replace(/\p{Cc}/gu, ' ')
  return clean.length > MAX_WIRE_MESSAGE ? `${clean.slice(0, MAX_WIRE_MESSAGE)}…` : clean
}

/** The chain as the wire carries it; messages repeated by a wrapper are sent once. */
export function toWireError (err: unknown): WireError {
  const chain: WireCause[] = []
  let e: unknown = err
  for (let depth = 0; e != null && depth < MAX_WIRE_CAUSES + 1; depth++) {
    const message = e instanceof Error ? e.message : String(e)
    if (message !== '' && chain[chain.length - 1]?.message !== message) chain.push({ code: codeOf(e), message: clip(message) })
    e = e instanceof Error ? e.cause : undefined
  }
  const [top, ...causes] = chain.length > 0 ? chain : [{ code: 'FAILED', message: 'failed' }]
  return { code: top?.code ?? 'FAILED', message: top?.message ?? 'failed', causes }
}

/** A `PeerRemoteError` (message `remote`) whose causes are the peer's chain; the code is the peer's. */
export function fromWireError (wire: WireError): PeerRemoteError {
  const levels = [{ code: wire.code, message: wire.message }, ...wire.causes.slice(0, MAX_WIRE_CAUSES)]
  let cause: RealizeError | undefined
  for (const level of levels.reverse()) {
    cause = new RealizeError(clip(level.code) || 'FAILED', clip(level.message), cause == null ? undefined : { cause })
  }
  return new PeerRemoteError(clip(wire.code) || 'FAILED', { cause })
}

/** Errors of the stream or connection itself, not of either peer's work. */
const TRANSPORT_ERRORS = new Set([
  'StreamResetError', 'StreamAbortedError', 'StreamClosedError', 'StreamStateError', 'ConnectionClosedError',
  'ConnectionClosingError', 'MuxerClosedError', 'UnexpectedEOFError', 'DialError', 'NoValidAddressesError',
  'UnsupportedProtocolError', 'ConnectionFailedError'
])

/** Which side a failure belongs to, as far as the receiving side can tell. */
export function sideOf (err: unknown): Side {
  if (err instanceof SideError) return err.side
  if (err instanceof ProtocolViolationError) return 'remote'
  const name = (err as { name?: unknown })?.name
  return typeof name === 'string' && TRANSPORT_ERRORS.has(name) ? 'connection' : 'local'
}

/**
 * Wraps a failure of a peer operation with what was being done, naming the
 * peer (`downloading photos/a.jpg from laptop`), and the side that failed.
 * An error wrapped already keeps its context (the outermost operation wins
 * only once: no duplicated chains).
 */
export function wrapPeerError (operation: string, thrown: unknown, side?: Side): RealizeError {
  const err = asError(thrown)
  if (err instanceof PeerOperationError) return err
  side ??= sideOf(err)
  const code = codeOf(err)
  const inner = err instanceof SideError ? err : new SideError(side, code, { cause: err })
  return new PeerOperationError(code, operation, inner)
}

/** A peer operation that failed; `side` says where. */
export class PeerOperationError extends RealizeError {
  constructor (code: string, readonly operation: string, readonly sideError: SideError) {
    super(code, operation, { cause: sideError })
  }

  get side (): Side {
    return this.sideError.side
  }
}
