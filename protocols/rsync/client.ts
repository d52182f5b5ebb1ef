import { createHash } from 'node:crypto'
import { MAX_RSYNC_MESSAGE_BYTES, RSYNC_IDLE_TIMEOUT_MS, RSYNC_MIN_RATE_BYTES_PER_S, RSYNC_PROTOCOL, RSYNC_REQUEST_TIMEOUT_MS, SIGNATURE_CHUNK_BLOCKS } from './constants.js'
import { RsyncReply, RsyncRequest, SignatureChunk } from './rsync.js'
import { describeRange, peerName, type DataClientComponents } from '../common/client.js'
import { guardFlowControl } from '../common/flow-control.js'
import { deadline, openStream } from '../common/client.js'
import { ProtocolViolationError, SideError, wrapPeerError } from '../common/errors.js'
import { computeSignatureOffThread } from '../workers/off-thread.js'
import { applyDelta, BadDeltaError, STRONG_BYTES, type DeltaOp, type RangeReader, type Signature, type WriteFn } from './algorithm/index.js'
import { RealizeError } from '../../datastore/types/errors.js'
import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import type { FramedStream } from '../common/framing.js'
import type { Faults } from '../faults.js'
import type { Throttle } from '../common/throttle.js'

export interface RsyncRangeRequest {
  arena: string
  path: string
  /** The peer's version to rebuild. */
  hash: Hash
  /** The peer's range to rebuild. */
  offset: number
  length: number
}

export interface RsyncBasis {
  /** The local copy the delta is taken against, read from its start (it is only read). */
  reader: RangeReader
  length: number
  /** Its signature, if already known; computed from `reader` otherwise. */
  signature?: Signature
  /**
   * The rebuilt range is written over the basis itself (repairing a blob in
   * place): the server then only copies blocks not yet overwritten.
   */
  inPlace?: boolean
}

export interface RsyncOptions {
  signal?: AbortSignal
  /** Signature block size. @default chooseBlockSize(basis length) */
  blockSize?: number
  /** @default RSYNC_REQUEST_TIMEOUT_MS */
  timeoutMs?: number
  /** Test-only {#testretries}. */
  faults?: Faults
  /** Download limit {#churtenlimit}: awaited with each literal received (and the fallback copy's chunks). */
  throttle?: Throttle
}

export interface RsyncResult {
  /** The range was already identical: nothing was written {#emptydelta}. */
  unchanged: boolean
  /** Bytes that came over the wire as literal data. */
  literalBytes: number
  /** Bytes rebuilt from the basis. */
  copiedBytes: number
  /** Bytes of signature sent. */
  signatureBytes: number
}

/**
 * What was rebuilt does not hash to the peer's range: a corrupted delta, or
 * the basis changed while it was read. The caller falls back to a plain copy
 * of the range (spec section 5, fault injection).
 */
export class RsyncMismatchError extends RealizeError {
  constructor (message: string) {
    super('RSYNC_MISMATCH', message)
  }
}

/**
 * Rebuilds the peer's `[offset, offset + length)` of version `hash` from a
 * local basis: sends the basis's signature, applies the delta through
 * `write` (offsets relative to the range start), and checks the result
 * against the peer's hash of its range. An identical range answers
 * "unchanged" and nothing is written {#emptydelta}.
 */
export async function rsyncRange (components: DataClientComponents, peerId: string, req: RsyncRangeRequest, basis: RsyncBasis, write: WriteFn, options: RsyncOptions = {}): Promise<RsyncResult> {
  const operation = `rsync of ${describeRange(req)} from ${peerName(components, peerId)}`
  let stream: FramedStream | undefined
  try {
    const sig = basis.signature ?? await computeSignatureOffThread(basis.reader, basis.length, { blockSize: options.blockSize, signal: options.signal })
    if (sig.length !== basis.length) throw new RealizeError('INVALID_SIGNATURE', `signature covers ${sig.length} bytes, basis has ${basis.length}`)
    stream = await openStream(components.host, peerId, RSYNC_PROTOCOL, { signal: options.signal, maxMessageBytes: MAX_RSYNC_MESSAGE_BYTES, timeoutMs: options.timeoutMs })
    guardFlowControl(stream.stream)
    const signatureBytes = await sendSignature(stream, req, sig, basis.inPlace === true, options)
    const result = await receiveDelta(stream, peerId, req, basis, sig, write, options)
    await stream.close({ signal: deadline(RSYNC_REQUEST_TIMEOUT_MS, options.signal, 'closing the rsync stream') })
    return { ...result, signatureBytes }
  } catch (err) {
    stream?.abort(err as Error)
    const side = err instanceof RsyncMismatchError || err instanceof BadDeltaError ? 'remote' : undefined
    throw wrapPeerError(operation, err, side)
  }
}

async function sendSignature (stream: FramedStream, req: RsyncRangeRequest, sig: Signature, inPlace: boolean, options: RsyncOptions): Promise<number> {
  const signal = deadline(options.timeoutMs ?? RSYNC_REQUEST_TIMEOUT_MS, options.signal, 'sending the rsync signature')
  const request: RsyncRequest = { ...req, hash: req.hash as Uint8Array<ArrayBuffer>, blockSize: sig.blockSize, basisLength: sig.length, inPlace }
  await stream.write(request, RsyncRequest, { signal })
  const n = sig.weak.length
  for (let i = 0; i < n; i += SIGNATURE_CHUNK_BLOCKS) {
    const end = Math.min(n, i + SIGNATURE_CHUNK_BLOCKS)
    const weak = new Uint8Array((end - i) * 4)
    const view = new DataView(weak.buffer)
    for (let b = i; b < end; b++) view.setUint32((b - i) * 4, sig.weak[b]!, true)
    const strong = sig.strong.slice(i * STRONG_BYTES, end * STRONG_BYTES)
    await stream.write({ weak, strong }, SignatureChunk, { signal })
  }
  return n * (4 + STRONG_BYTES)
}

async function receiveDelta (
  stream: FramedStream, peerId: string, req: RsyncRangeRequest, basis: RsyncBasis, sig: Signature, write: WriteFn, options: RsyncOptions
): Promise<Omit<RsyncResult, 'signatureBytes'>> {
  const ms = RSYNC_IDLE_TIMEOUT_MS + Math.ceil(req.length / RSYNC_MIN_RATE_BYTES_PER_S * 1000)
  const next = async (): Promise<RsyncReply> => await stream.read(RsyncReply, 'the rest of the delta', { signal: deadline(ms, options.signal, `waiting for the delta of ${describeRange(req)}`) })
  const first = await next()
  if (first.unchanged) {
    if (basis.length !== req.length) throw new ProtocolViolationError(`"unchanged" for a range of ${req.length} bytes against a basis of ${basis.length}`)
    return { unchanged: true, literalBytes: 0, copiedBytes: 0 }
  }
  let literalBytes = 0
  let copiedBytes = 0
  let endHash: Uint8Array | undefined
  const ops = async function * (): AsyncGenerator<DeltaOp> {
    for (let m: RsyncReply | undefined = first; ; m = await next()) {
      if (m.end != null) {
        endHash = m.end.hash
        return
      }
      if (m.copy != null) {
        copiedBytes += Math.max(0, Math.min((m.copy.block + m.copy.count) * sig.blockSize, sig.length) - m.copy.block * sig.blockSize)
        yield { kind: 'copy', block: m.copy.block, count: m.copy.count }
      } else if (m.literal != null) {
        let data: Uint8Array = m.literal
        if (options.faults != null) data = options.faults.hit({ point: 'rsync.receive', peer: peerId, arena: req.arena, path: req.path }, data, stream.stream) ?? data
        literalBytes += data.byteLength
        // Not reading on meanwhile: flow control slows the sender to the limit.
        await options.throttle?.(data.byteLength, options.signal)
        yield { kind: 'literal', data }
      } else {
        throw new ProtocolViolationError('expected a delta op or its end')
      }
    }
  }
  const hash = createHash('sha256')
  const store: WriteFn = async (data, offset) => {
    try {
      const bytes = options.faults == null ? data : options.faults.hit({ point: 'write', peer: peerId, arena: req.arena, path: req.path, offset: req.offset + offset }, data, undefined) ?? data
      await write(bytes, offset)
    } catch (err) {
      throw new SideError('local', (err as { code?: string }).code ?? 'WRITE_FAILED', { cause: err })
    }
  }
  const rebuilt = await applyDelta(ops(), basis.reader, sig, store, {
    signal: options.signal,
    maxLength: req.length,
    inPlace: basis.inPlace,
    observe: (data) => { hash.update(data) }
  })
  if (endHash == null) throw new ProtocolViolationError('the delta has no end')
  if (rebuilt !== req.length) throw new RsyncMismatchError(`the delta rebuilt ${rebuilt} bytes of a ${req.length}-byte range`)
  if (!hashEquals(hash.digest(), endHash)) throw new RsyncMismatchError(`the rebuilt range does not match the peer's hash of ${describeRange(req)}`)
  return { unchanged: false, literalBytes, copiedBytes }
}
