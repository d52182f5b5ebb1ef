import { createHash } from 'node:crypto'
import { HASH_PROTOCOL, HASH_REQUEST_TIMEOUT_MS, MAX_HASH_MESSAGE_BYTES, MAX_HASH_RANGES, MAX_HASH_STREAMS_PER_PEER, RESULT_BATCH, RESULT_BATCH_BYTES } from './constants.js'
import { HashRequest, HashResult } from './hash.js'
import { checkRange, type BlobSource, type SourceHandle } from '../blob/source.js'
import { guardFlowControl } from '../blob/flow-control.js'
import { deadline } from '../common/client.js'
import { ProtocolViolationError } from '../common/errors.js'
import { serve, type InboundRequest, type ServeComponents } from '../common/serve.js'
import { readChunks } from '../../node/rsync/reader.js'
import { asHash, type Hash } from '../../node/types/hash.js'
import { parsePath } from '../../node/types/path.js'
import type { MessageCodec } from '../common/framing.js'
import type { Faults } from '../faults.js'

export interface HashServerOptions {
  source: BlobSource
  /** Test-only {#testretries}. */
  faults?: Faults
}

export interface HashServeOptions extends HashServerOptions {
  /** @default MAX_HASH_STREAMS_PER_PEER */
  maxStreamsPerPeer?: number
  /** @default HASH_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
}

export const HashRequestCodec: MessageCodec<HashRequest> = {
  encode: (m) => HashRequest.encode(m),
  // One more than allowed, so that too many is a clear error rather than a decode failure.
  decode: (b) => HashRequest.decode(b, { limits: { ranges: MAX_HASH_RANGES + 1 } })
}

export async function startHashServer (components: ServeComponents, options: HashServeOptions): Promise<() => Promise<void>> {
  return await serve(components, HASH_PROTOCOL, async (r) => { await serveHash(r, options) }, {
    maxStreamsPerPeer: options.maxStreamsPerPeer ?? MAX_HASH_STREAMS_PER_PEER,
    timeoutMs: options.requestTimeoutMs ?? HASH_REQUEST_TIMEOUT_MS,
    maxMessageBytes: MAX_HASH_MESSAGE_BYTES
  })
}

/**
 * One `/realize/hash/1.0.0` request: the ranges are hashed in order and each
 * result sent as soon as it is ready, after checking the file is still the
 * version asked for (so a result never describes a torn read).
 */
export async function serveHash (request: InboundRequest, options: HashServerOptions): Promise<void> {
  const { stream } = request
  guardFlowControl(stream.stream)
  const req = await stream.read(HashRequestCodec, 'a hash request', { signal: deadline(HASH_REQUEST_TIMEOUT_MS, request.signal, 'waiting for the hash request') })
  request.checkArena(req.arena)
  const path = parsePath(req.path)
  const hash = asHash(req.hash)
  if (req.ranges.length > MAX_HASH_RANGES) throw new ProtocolViolationError(`${req.ranges.length} ranges in one hash request (at most ${MAX_HASH_RANGES})`)
  const handle = await options.source.open(req.arena, path, hash, { signal: request.signal })
  try {
    const where = `hashing ${req.arena}/${path}`
    for (const r of req.ranges) checkRange(r.offset, r.length, handle.size, where)
    // Each result is awaited by the client with a time scaled to its range.
    request.clearTimeout()
    // Results go out in batches: one file check and one write per batch, not
    // per range (thousands of small ranges are common when locating damage).
    let batch: HashResult[] = []
    let batchBytes = 0
    const flush = async (): Promise<void> => {
      await handle.verify()
      await stream.writeAll(batch, HashResult, { signal: request.signal })
      batch = []
      batchBytes = 0
    }
    for (const r of req.ranges) {
      let digest: Uint8Array = await hashRange(handle, r.offset, r.length, request.signal)
      if (options.faults != null) digest = options.faults.hit({ point: 'hash.send', peer: request.peer.id, arena: req.arena, path, offset: r.offset }, digest, stream) ?? digest
      batch.push({ hash: digest as Uint8Array<ArrayBuffer> })
      batchBytes += r.length
      if (batch.length >= RESULT_BATCH || batchBytes >= RESULT_BATCH_BYTES) await flush()
    }
    if (batch.length > 0) await flush()
  } finally {
    await handle.close()
  }
}

/** SHA-256 of `[offset, offset + length)` of a source, reads overlapping hashing. */
export async function hashRange (handle: SourceHandle, offset: number, length: number, signal?: AbortSignal): Promise<Hash> {
  const h = createHash('sha256')
  const reader = { read: async (into: Uint8Array, pos: number) => await handle.read(into, offset + pos) }
  for await (const chunk of readChunks(reader, length, { chunkSize: 4 * 1024 * 1024, signal })) h.update(chunk)
  const d = h.digest()
  return asHash(new Uint8Array(d.buffer, d.byteOffset, d.byteLength))
}
