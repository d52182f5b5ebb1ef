import { HOLD_PROTOCOL, HOLD_REQUEST_TIMEOUT_MS, MAX_HOLD_MESSAGE_BYTES, MAX_HOLD_STREAMS_PER_PEER } from './constants.js'
import { HoldRefusedError } from './errors.js'
import { HoldGrant, HoldRequest } from './hold.js'
import { serve, type InboundRequest, type ServeComponents } from '../common/serve.js'
import { toWireError } from '../common/errors.js'
import { asHash, type Hash } from '../../datastore/types/hash.js'
import { parsePath, type RelPath } from '../../datastore/types/path.js'

export interface HoldServerOptions {
  /**
   * The node's answer (node/churten/holds.ts): the lease in ms, or
   * HoldRefusedError. The protocol knows nothing of indexes or drops.
   */
  grant: (peer: string, arena: string, path: RelPath, hash: Hash) => Promise<number>
}

export interface HoldServeOptions extends HoldServerOptions {
  /** @default MAX_HOLD_STREAMS_PER_PEER */
  maxStreamsPerPeer?: number
  /** @default HOLD_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
}

export async function startHoldServer (components: ServeComponents, options: HoldServeOptions): Promise<() => Promise<void>> {
  return await serve(components, HOLD_PROTOCOL, async (r) => { await serveHold(r, options) }, {
    maxStreamsPerPeer: options.maxStreamsPerPeer ?? MAX_HOLD_STREAMS_PER_PEER,
    timeoutMs: options.requestTimeoutMs ?? HOLD_REQUEST_TIMEOUT_MS,
    maxMessageBytes: MAX_HOLD_MESSAGE_BYTES
  })
}

/**
 * One `/realize/hold/1.0.0` request: a grant, or a refusal as an error frame.
 * A refusal is an ordinary answer (logged at debug), not a failed request.
 */
export async function serveHold (request: InboundRequest, options: HoldServerOptions): Promise<void> {
  const { stream, signal } = request
  const req = await stream.read(HoldRequest, 'a hold request', { signal })
  request.checkArena(req.arena)
  const path = parsePath(req.path)
  const hash = asHash(req.hash)
  let leaseMs: number
  try {
    leaseMs = await options.grant(request.peer.id, req.arena, path, hash)
  } catch (err) {
    if (!(err instanceof HoldRefusedError)) throw err
    request.log.debug({ arena: req.arena, path, reason: err.message, event: 'hold-refused' }, 'hold refused')
    await stream.writeError(toWireError(err), { signal })
    return
  }
  request.log.debug({ arena: req.arena, path, leaseMs, event: 'hold-granted' }, 'hold granted')
  await stream.write({ leaseMs }, HoldGrant, { signal })
}
