import { HOLD_PROTOCOL, HOLD_REQUEST_TIMEOUT_MS, MAX_HOLD_MESSAGE_BYTES } from './constants.js'
import { HoldGrant, HoldRequest } from './hold.js'
import { deadline, openStream, peerName, type DataClientComponents } from '../common/client.js'
import { ProtocolViolationError, wrapPeerError } from '../common/errors.js'
import type { FramedStream } from '../common/framing.js'
import type { Hash } from '../../datastore/types/hash.js'

export interface HoldRequestOptions {
  signal?: AbortSignal
  /** @default HOLD_REQUEST_TIMEOUT_MS */
  timeoutMs?: number
}

/**
 * Asks `peerId` to keep `hash` real at `path` for a lease; resolves to the
 * lease in ms. A refusal rejects with code HOLD_REFUSED, wrapped with the
 * peer and the path like every peer failure {#errormsg}.
 */
export async function askHold (components: DataClientComponents, peerId: string, req: { arena: string, path: string, hash: Hash }, options: HoldRequestOptions = {}): Promise<number> {
  const operation = `asking ${peerName(components, peerId)} to hold ${req.arena}/${req.path}`
  const ms = options.timeoutMs ?? HOLD_REQUEST_TIMEOUT_MS
  let stream: FramedStream | undefined
  try {
    stream = await openStream(components.host, peerId, HOLD_PROTOCOL, { signal: options.signal, maxMessageBytes: MAX_HOLD_MESSAGE_BYTES, timeoutMs: ms })
    // One deadline for the exchange: the answer needs one index read.
    const signal = deadline(ms, options.signal, 'waiting for the hold answer')
    await stream.write({ arena: req.arena, path: req.path, hash: req.hash as Uint8Array<ArrayBuffer> }, HoldRequest, { signal })
    const grant = await stream.read(HoldGrant, 'the hold answer', { signal })
    if (grant.leaseMs <= 0) throw new ProtocolViolationError('a hold granted for no time')
    await stream.close({ signal })
    return grant.leaseMs
  } catch (err) {
    stream?.abort(err as Error)
    throw wrapPeerError(operation, err)
  }
}
