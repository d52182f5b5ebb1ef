import { createHash } from 'node:crypto'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { hashSlicesOffThread } from '../workers/off-thread.js'
import { HASH_OVERLAP_BYTES, HASH_WINDOW_BYTES, HASH_PROTOCOL, HASH_REQUEST_TIMEOUT_MS, MAX_HASH_BYTES_PER_PEER, MAX_HASH_MESSAGE_BYTES, MAX_HASH_RANGES, MAX_HASH_STREAMS_PER_PEER, RESULT_BATCH, RESULT_BATCH_BYTES } from './constants.js'
import { HashRequest, HashResult } from './hash.js'
import { checkRange, type BlobSource, type SourceHandle } from '../common/source.js'
import { guardFlowControl } from '../common/flow-control.js'
import { deadline } from '../common/client.js'
import { ProtocolViolationError } from '../common/errors.js'
import { serve, type InboundRequest, type ServeComponents } from '../common/serve.js'
import { readChunks, readFully } from '../common/reader.js'
import { RealizeError } from '../../datastore/types/errors.js'
import { asHash, type Hash } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import type { MessageCodec } from '../common/framing.js'
import type { Faults } from '../faults.js'
import type { Throttle } from '../common/throttle.js'

/** A hash request asking for more hashing than HASH_OVERLAP_BYTES / MAX_HASH_BYTES_PER_PEER allow. */
export class HashBudgetError extends RealizeError {
  constructor (message: string) {
    super('HASH_BUDGET_EXCEEDED', message)
  }
}

export interface HashServerOptions {
  source: BlobSource
  /** Bytes each peer has asked to hash in its open requests (shared by one server's requests). */
  inFlight?: Map<string, number>
  /** Test-only {#testretries}. */
  faults?: Faults
  /** Upload limit {#churtenlimit}: awaited with each batch of digests before it is sent. */
  throttle?: Throttle
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
  const inFlight = new Map<string, number>()
  return await serve(components, HASH_PROTOCOL, async (r) => { await serveHash(r, { inFlight, ...options }) }, {
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
    let total = 0
    for (const r of req.ranges) {
      checkRange(r.offset, r.length, handle.size, where)
      total += r.length
    }
    if (total > handle.size + HASH_OVERLAP_BYTES) {
      throw new HashBudgetError(`${where}: ${req.ranges.length} ranges add up to ${total} bytes, more than the version's ${handle.size} plus ${HASH_OVERLAP_BYTES} (overlapping or repeated ranges)`)
    }
    const inFlight = options.inFlight ?? new Map<string, number>()
    const peerBytes = (inFlight.get(request.peer.id) ?? 0) + total
    if (peerBytes > MAX_HASH_BYTES_PER_PEER) {
      throw new HashBudgetError(`${where}: ${peerBytes} bytes to hash in this peer's open requests (at most ${MAX_HASH_BYTES_PER_PEER}); retry when they are done`)
    }
    inFlight.set(request.peer.id, peerBytes)
    try {
      await hashAndSend(request, handle, req.ranges, path, req.arena, options)
    } finally {
      const left = (inFlight.get(request.peer.id) ?? total) - total
      if (left > 0) inFlight.set(request.peer.id, left)
      else inFlight.delete(request.peer.id)
    }
  } finally {
    await handle.close()
  }
}

async function hashAndSend (request: InboundRequest, handle: SourceHandle, ranges: ReadonlyArray<{ offset: number, length: number }>, path: string, arena: string, options: HashServerOptions): Promise<void> {
  const { stream } = request
  const { faults, throttle } = options
  // Each result is awaited by the client with a time scaled to its range.
  request.clearTimeout()
  // Results go out in batches: one file check and one write per batch, not
  // per range (thousands of small ranges are common when locating damage).
  let batch: HashResult[] = []
  let batchBytes = 0
  const flush = async (): Promise<void> => {
    await handle.verify()
    await throttle?.(batch.reduce((n, r) => n + r.hash.byteLength, 0), request.signal)
    await stream.writeAll(batch, HashResult, { signal: request.signal })
    batch = []
    batchBytes = 0
    // Digests of a whole group are ready at once: a turn between batches,
    // or 4,096 results would go out in one stretch of microtasks.
    await nextTurn()
  }
  const send = async (r: { offset: number, length: number }, hash: Uint8Array): Promise<void> => {
    let digest = hash
    if (faults != null) digest = faults.hit({ point: 'hash.send', peer: request.peer.id, arena, path, offset: r.offset }, digest, stream) ?? digest
    batch.push({ hash: digest as Uint8Array<ArrayBuffer> })
    batchBytes += r.length
    if (batch.length >= RESULT_BATCH || batchBytes >= RESULT_BATCH_BYTES) await flush()
  }
  // Ranges that fit one read are hashed together in the worker pool; a
  // range longer than a window streams through node:crypto here (4 MiB
  // chunks: a few ms each, as fast as the disk; docs/BENCHMARKS.md).
  for (let i = 0; i < ranges.length;) {
    const g = groupAt(ranges, i)
    if (g == null) {
      const r = ranges[i++]!
      await send(r, await hashRange(handle, r.offset, r.length, request.signal))
      continue
    }
    const data = Buffer.allocUnsafeSlow(g.end - g.start)
    // In pieces: one long read would hold a thread of libuv's pool that the
    // control socket's requests (LevelDB, statfs) are queued for.
    const n = await readFully({ read: async (into, pos) => await handle.read(into.subarray(0, READ_PIECE), g.start + pos) }, data, 0)
    if (n < data.byteLength) throw new RealizeError('SHORT_READ', `source ended at byte ${g.start + n} of ${handle.size}`)
    const group = ranges.slice(i, g.next)
    const digests = await hashSlicesOffThread(data, group.map((r) => ({ offset: r.offset - g.start, length: r.length })), request.signal)
    for (const [k, r] of group.entries()) await send(r, asHash(new Uint8Array(digests[k]!)))
    i = g.next
  }
  if (batch.length > 0) await flush()
}

const READ_PIECE = 1024 * 1024

/**
 * The ranges from `i` on that one read of at most HASH_WINDOW_BYTES covers
 * (in request order): [start, end) and the index after the last. Undefined
 * when range i is longer than a window, or the read would be more than
 * twice the bytes the ranges hash (sparse ranges): then it is streamed
 * alone. So reads never exceed twice the (budgeted) hashing.
 */
function groupAt (ranges: ReadonlyArray<{ offset: number, length: number }>, i: number): { start: number, end: number, next: number } | undefined {
  const first = ranges[i]!
  let start = first.offset
  let end = first.offset + first.length
  let sum = first.length
  let next = i + 1
  if (first.length > HASH_WINDOW_BYTES) return undefined
  for (; next < ranges.length; next++) {
    const r = ranges[next]!
    const s = Math.min(start, r.offset)
    const e = Math.max(end, r.offset + r.length)
    if (e - s > HASH_WINDOW_BYTES) break
    start = s
    end = e
    sum += r.length
  }
  // One range alone gains nothing from the pool's round trip when small, and streams fine when large.
  if (next === i + 1 || end - start > 2 * sum) return undefined
  return { start, end, next }
}

/** SHA-256 of `[offset, offset + length)` of a source, reads overlapping hashing. */
export async function hashRange (handle: SourceHandle, offset: number, length: number, signal?: AbortSignal): Promise<Hash> {
  const h = createHash('sha256')
  const reader = { read: async (into: Uint8Array, pos: number) => await handle.read(into, offset + pos) }
  for await (const chunk of readChunks(reader, length, { chunkSize: 4 * 1024 * 1024, signal })) h.update(chunk)
  const d = h.digest()
  return asHash(new Uint8Array(d.buffer, d.byteOffset, d.byteLength))
}
