import { HASH_MIN_RATE_BYTES_PER_S, HASH_PROTOCOL, HASH_REQUEST_TIMEOUT_MS, HASH_RESULT_TIMEOUT_MS, MAX_HASH_MESSAGE_BYTES, MAX_HASH_RANGES } from './constants.js'
import { HashResult } from './hash.js'
import { HashRequestCodec } from './server.js'
import { describeRange, peerName, type DataClientComponents } from '../common/client.js'
import { guardFlowControl } from '../common/flow-control.js'
import { deadline, openStream } from '../common/client.js'
import { ProtocolViolationError, wrapPeerError } from '../common/errors.js'
import { asHash, type Hash } from '../../datastore/types/hash.js'
import type { FramedStream } from '../common/framing.js'
import type { Faults } from '../faults.js'
import type { Throttle } from '../common/throttle.js'

export interface HashRangesRequest {
  arena: string
  path: string
  /** The version whose ranges are hashed. */
  hash: Hash
  ranges: ReadonlyArray<{ offset: number, length: number }>
}

export interface HashRangesOptions {
  /**
   * The size of the caller's own copy {#sizebeforehash}: ranges ending past
   * it are not asked for (there is nothing local to compare them with; the
   * caller downloads them instead) and come back as `skipped`.
   */
  localSize: number
  signal?: AbortSignal
  /** @default HASH_REQUEST_TIMEOUT_MS */
  timeoutMs?: number
  /** Test-only {#testretries}. */
  faults?: Faults
  /** Download limit {#churtenlimit}: awaited with each digest received. */
  throttle?: Throttle
}

export type RangeHash =
  | { offset: number, length: number, hash: Hash }
  | { offset: number, length: number, skipped: 'beyond-local-end' }

/**
 * The peer's SHA-256 of each range of version `hash`, in the order asked.
 * Ranges past `localSize` are skipped without asking {#sizebeforehash};
 * more than MAX_HASH_RANGES are sent as several requests.
 */
export async function hashRanges (components: DataClientComponents, peerId: string, req: HashRangesRequest, options: HashRangesOptions): Promise<RangeHash[]> {
  const out: RangeHash[] = req.ranges.map((r) => r.offset + r.length > options.localSize
    ? { offset: r.offset, length: r.length, skipped: 'beyond-local-end' as const }
    : { offset: r.offset, length: r.length, hash: undefined as unknown as Hash })
  const wanted = out.filter((r): r is Extract<RangeHash, { hash: Hash }> => !('skipped' in r))
  for (let i = 0; i < wanted.length; i += MAX_HASH_RANGES) {
    const batch = wanted.slice(i, i + MAX_HASH_RANGES)
    const first = batch[0]!
    const last = batch[batch.length - 1]!
    const span = { arena: req.arena, path: req.path, offset: first.offset, length: last.offset + last.length - first.offset }
    const operation = `hashing ${batch.length === 1 ? describeRange(span) : `${batch.length} ranges of ${req.arena}/${req.path}`} on ${peerName(components, peerId)}`
    let stream: FramedStream | undefined
    try {
      stream = await openStream(components.host, peerId, HASH_PROTOCOL, { signal: options.signal, maxMessageBytes: MAX_HASH_MESSAGE_BYTES, timeoutMs: options.timeoutMs })
      guardFlowControl(stream.stream)
      await stream.write({ arena: req.arena, path: req.path, hash: req.hash as Uint8Array<ArrayBuffer>, ranges: batch.map((r) => ({ offset: r.offset, length: r.length })) }, HashRequestCodec, {
        signal: deadline(options.timeoutMs ?? HASH_REQUEST_TIMEOUT_MS, options.signal, 'sending the hash request')
      })
      // One deadline for the batch, scaled to what it asks to hash.
      const bytes = batch.reduce((n, r) => n + r.length, 0)
      const ms = HASH_RESULT_TIMEOUT_MS + Math.ceil(bytes / HASH_MIN_RATE_BYTES_PER_S * 1000)
      const signal = deadline(ms, options.signal, `waiting for the hashes of ${span.path}`)
      for (const r of batch) {
        const res = await stream.read(HashResult, 'a range hash', { signal })
        let digest: Uint8Array = res.hash
        await options.throttle?.(digest.byteLength, options.signal)
        if (options.faults != null) digest = options.faults.hit({ point: 'hash.receive', peer: peerId, arena: req.arena, path: req.path, offset: r.offset }, digest, stream.stream) ?? digest
        try {
          // A plain Uint8Array like hashBytes gives, not the decoder's Buffer.
          r.hash = asHash(new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength))
        } catch (err) {
          throw new ProtocolViolationError('malformed range hash', { cause: err })
        }
      }
      await stream.close({ signal: deadline(HASH_REQUEST_TIMEOUT_MS, options.signal, 'closing the hash stream') })
    } catch (err) {
      stream?.abort(err as Error)
      throw wrapPeerError(operation, err)
    }
  }
  return out
}
