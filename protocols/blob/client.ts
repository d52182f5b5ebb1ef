import { BLOB_IDLE_TIMEOUT_MS, BLOB_PROTOCOL, BLOB_REQUEST_TIMEOUT_MS, MAX_BLOB_MESSAGE_BYTES, MAX_CHUNK_BYTES } from './constants.js'
import { SUPPORTED, compressionToWire, decompress } from './compression.js'
import { BlobRequestCodec, BlobResponseCodec, parseChunkFrame } from './frames.js'
import { Compression } from './blob.js'
import { flatten, type BlobBytes } from './bytes.js'
import { IdleDeadline } from '../common/idle.js'
import { guardFlowControl } from '../common/flow-control.js'
import { deadline, describeRange, openStream, peerName, type DataClientComponents } from '../common/client.js'
import { ProtocolViolationError, wrapPeerError } from '../common/errors.js'
import { hashToHex, type Hash } from '../../datastore/types/hash.js'
import { decodeFrame, StreamEndedError, type FramedStream } from '../common/framing.js'
import type { Faults } from '../faults.js'

export interface BlobReadRequest {
  arena: string
  path: string
  hash: Hash
  offset: number
  length: number
}

export interface BlobReadOptions {
  signal?: AbortSignal
  /** Codecs to accept, preferred first {#compress}. @default [BROTLI, DEFLATE] */
  accept?: readonly Compression[]
  /** The version's size as the caller knows it; a header saying otherwise fails. */
  expectSize?: number
  /** @default BLOB_REQUEST_TIMEOUT_MS */
  timeoutMs?: number
  /** @default BLOB_IDLE_TIMEOUT_MS */
  idleTimeoutMs?: number
  /** Test-only {#testretries}. */
  faults?: Faults
  /**
   * Bandwidth limit {#churtenlimit}: awaited with each chunk's wire bytes
   * before the next is read, so the sender is slowed by flow control.
   */
  throttle?: (bytes: number, signal?: AbortSignal) => Promise<void>
}

export interface BlobPiece {
  /** Offset in the file. */
  offset: number
  data: Uint8Array
}

/** A piece as received: a raw chunk keeps the pieces it arrived in (bytes.ts). */
export interface ReceivedPiece {
  offset: number
  data: BlobBytes
}

export interface ReceivedChunk {
  data: BlobBytes
  codec: Compression
  rawLength: number
}

export interface BlobReadSummary {
  /** Bytes of the range delivered. */
  bytes: number
  /** Chunk payload bytes received (compressed size where compressed). */
  wireBytes: number
  codec: Compression
  compressedChunks: number
  rawChunks: number
}

/**
 * Reads `[offset, offset + length)` of version `hash` from a peer, in order.
 * Failures are wrapped with the operation, peer and side {#errormsg}:
 * `reading photos/a.jpg [0, 4096) from laptop: remote: VERSION_CHANGED ...`.
 * Breaking out of the loop early resets the stream.
 */
export async function * readBlob (components: DataClientComponents, peerId: string, req: BlobReadRequest, options: BlobReadOptions = {}): AsyncGenerator<BlobPiece, BlobReadSummary, undefined> {
  const gen = readPieces(components, peerId, req, options)
  let done = false
  try {
    for (;;) {
      const r = await gen.next()
      if (r.done === true) {
        done = true
        return r.value
      }
      yield { offset: r.value.offset, data: flatten(r.value.data) }
    }
  } finally {
    // The consumer stopped early: the inner generator resets the stream.
    if (!done) await gen.return(undefined as never)
  }
}

async function * readPieces (components: DataClientComponents, peerId: string, req: BlobReadRequest, options: BlobReadOptions): AsyncGenerator<ReceivedPiece, BlobReadSummary, undefined> {
  const operation = `reading ${describeRange(req)} from ${peerName(components, peerId)}`
  let stream: FramedStream | undefined
  let finished = false
  try {
    stream = await openStream(components.host, peerId, BLOB_PROTOCOL, { signal: options.signal, maxMessageBytes: MAX_BLOB_MESSAGE_BYTES, timeoutMs: options.timeoutMs })
    guardFlowControl(stream.stream)
    const summary = yield * receive(stream, peerId, req, options)
    finished = true
    await stream.close({ signal: deadline(options.timeoutMs ?? BLOB_REQUEST_TIMEOUT_MS, options.signal, 'closing the blob stream') })
    return summary
  } catch (err) {
    finished = true
    stream?.abort(err as Error)
    throw wrapPeerError(operation, err)
  } finally {
    // The consumer stopped early: nobody reads the rest.
    if (!finished) stream?.abort(new Error('reader stopped'))
  }
}

async function * receive (stream: FramedStream, peerId: string, req: BlobReadRequest, options: BlobReadOptions): AsyncGenerator<ReceivedPiece, BlobReadSummary, undefined> {
  const accept = (options.accept ?? SUPPORTED).map(compressionToWire)
  const first = deadline(options.timeoutMs ?? BLOB_REQUEST_TIMEOUT_MS, options.signal, 'waiting for the blob header')
  await stream.write({ ...req, hash: req.hash as Uint8Array<ArrayBuffer>, accept }, BlobRequestCodec, { signal: first })
  const head = await stream.read(BlobResponseCodec, 'the blob header', { signal: first })
  if (head.header == null) throw new ProtocolViolationError('expected the blob header')
  const { size, codec } = head.header
  if (options.expectSize != null && size !== options.expectSize) {
    throw new ProtocolViolationError(`the peer's version ${hashToHex(req.hash).slice(0, 12)} has ${size} bytes, expected ${options.expectSize}`)
  }
  if (codec !== Compression.NONE && !(options.accept ?? SUPPORTED).includes(codec)) throw new ProtocolViolationError(`the peer picked codec ${codec}, which was not offered`)

  const summary: BlobReadSummary = { bytes: 0, wireBytes: 0, codec, compressedChunks: 0, rawChunks: 0 }
  const idle = new IdleDeadline(options.idleTimeoutMs ?? BLOB_IDLE_TIMEOUT_MS, 'waiting for blob data', options.signal)
  const ctx = { point: 'blob.receive' as const, peer: peerId, arena: req.arena, path: req.path }
  try {
    let offset = req.offset
    const end = req.offset + req.length
    // One chunk decompressing (threadpool) while the next frame is read.
    let pending: Promise<ReceivedPiece> | undefined
    for (;;) {
      const frame = await stream.readFrameList({ signal: idle.signal })
      if (frame == null) throw new StreamEndedError('the rest of the blob')
      idle.touch()
      // Chunks are read without copying their data; every other frame the ordinary way.
      const fast = parseChunkFrame(frame)
      const m: { chunk?: ReceivedChunk, end?: unknown } = fast != null ? { chunk: fast } : decodeFrame(frame, BlobResponseCodec)
      if (m.end != null) break
      if (m.chunk == null) throw new ProtocolViolationError('expected a blob chunk or the end')
      const chunk = m.chunk
      checkChunk(chunk, codec, offset, end)
      if (chunk.codec === Compression.NONE) summary.rawChunks++
      else summary.compressedChunks++
      summary.wireBytes += chunk.data.byteLength
      if (options.throttle != null) {
        // Our own pacing, not the peer's silence: the idle deadline waits meanwhile.
        idle.pause()
        await options.throttle(chunk.data.byteLength, options.signal)
        idle.touch()
      }
      const piece = decode(chunk, offset)
      piece.catch(() => {})
      offset += chunk.rawLength
      if (pending != null) yield fault(await pending)
      pending = piece
    }
    if (pending != null) yield fault(await pending)
    if (offset !== end) throw new ProtocolViolationError(`the blob ended at ${offset}, expected ${end}`)
    summary.bytes = req.length
    return summary
  } finally {
    idle.clear()
  }

  function fault (piece: ReceivedPiece): ReceivedPiece {
    if (options.faults == null) return piece
    return { offset: piece.offset, data: options.faults.hit({ ...ctx, offset: piece.offset }, flatten(piece.data), stream.stream) ?? piece.data }
  }
}

export function checkChunk (chunk: ReceivedChunk, codec: Compression, offset: number, end: number): void {
  if (chunk.codec !== Compression.NONE && chunk.codec !== codec) throw new ProtocolViolationError(`chunk compressed with ${chunk.codec}, header said ${codec}`)
  if (chunk.rawLength === 0 || chunk.rawLength > MAX_CHUNK_BYTES) throw new ProtocolViolationError(`chunk of ${chunk.rawLength} bytes (1 to ${MAX_CHUNK_BYTES} allowed)`)
  if (offset + chunk.rawLength > end) throw new ProtocolViolationError(`chunk runs past the end of the range (${offset + chunk.rawLength} > ${end})`)
  if (chunk.codec === Compression.NONE && chunk.data.byteLength !== chunk.rawLength) throw new ProtocolViolationError(`raw chunk of ${chunk.data.byteLength} bytes claims ${chunk.rawLength}`)
}

export async function decode (chunk: ReceivedChunk, offset: number): Promise<ReceivedPiece> {
  if (chunk.codec === Compression.NONE) return { offset, data: chunk.data }
  let data: Uint8Array
  try {
    data = await decompress(chunk.codec, flatten(chunk.data), chunk.rawLength)
  } catch (err) {
    throw new ProtocolViolationError(`undecodable ${chunk.codec} chunk at ${offset}`, { cause: err })
  }
  if (data.byteLength !== chunk.rawLength) throw new ProtocolViolationError(`${chunk.codec} chunk at ${offset} decodes to ${data.byteLength} bytes, claims ${chunk.rawLength}`)
  return { offset, data }
}

/** Stores received bytes; must be done with `data` when it resolves. */
export type BlobWriteFn = (data: Uint8Array, offset: number) => Promise<void>

/** Like BlobWriteFn, taking a raw chunk as the pieces it arrived in (bytes.ts). */
export type BlobPiecesWriteFn = (data: BlobBytes, offset: number) => Promise<void>

/**
 * Reads a range into `write` (a blob file, a temp file). A failing write
 * fails the read with side `local`; the 'write' fault point sits here.
 */
export async function readBlobInto (components: DataClientComponents, peerId: string, req: BlobReadRequest, write: BlobWriteFn, options: BlobReadOptions = {}): Promise<BlobReadSummary> {
  return await readBlobPiecesInto(components, peerId, req, async (data, offset) => { await write(flatten(data), offset) }, options)
}

/**
 * readBlobInto for writers that take a raw chunk as the pieces it arrived
 * in (hash them, write them vectored): no copy, no fresh buffer per chunk.
 */
export async function readBlobPiecesInto (components: DataClientComponents, peerId: string, req: BlobReadRequest, write: BlobPiecesWriteFn, options: BlobReadOptions = {}): Promise<BlobReadSummary> {
  const gen = readPieces(components, peerId, req, options)
  const operation = `reading ${describeRange(req)} from ${peerName(components, peerId)}`
  for (;;) {
    const r = await gen.next()
    if (r.done === true) return r.value
    const { offset, data } = r.value
    try {
      const ctx = { point: 'write' as const, peer: peerId, arena: req.arena, path: req.path, offset }
      const bytes = options.faults == null ? data : options.faults.hit(ctx, flatten(data), undefined) ?? data
      await write(bytes, offset)
    } catch (err) {
      await gen.return(undefined as never)
      throw wrapPeerError(operation, err, 'local')
    }
  }
}
