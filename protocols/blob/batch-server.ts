import { Uint8ArrayList } from 'uint8arraylist'
import { BLOB_BATCH_AHEAD, BLOB_BATCH_IDLE_TIMEOUT_MS, BLOB_BATCH_PROTOCOL, BLOB_REQUEST_TIMEOUT_MS, CHUNK_BYTES, MAX_BLOB_BATCH_READ_BYTES, MAX_BLOB_BATCH_STREAMS_PER_PEER, MAX_BLOB_MESSAGE_BYTES } from './constants.js'
import { CompressionGate, SHRINK_RATIO, compress, pickCompression } from './compression.js'
import { BlobRequestCodec, BlobResponseCodec, chunkFrame } from './frames.js'
import { Compression, type BlobRequest } from './blob.js'
import { IdleDeadline } from '../common/idle.js'
import { guardFlowControl } from '../common/flow-control.js'
import { checkRange, VersionChangedError } from '../common/source.js'
import { serve, type InboundRequest, type ServeComponents } from '../common/serve.js'
import { readFully } from '../common/reader.js'
import { ProtocolViolationError, toWireError } from '../common/errors.js'
import { ErrorFrame } from '../common/wire.js'
import { asHash } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import type { BlobServeOptions, BlobServerOptions } from './server.js'

/** Registers the blob-batch handler; resolves to the function that unregisters it. */
export async function startBlobBatchServer (components: ServeComponents, options: BlobServeOptions): Promise<() => Promise<void>> {
  return await serve(components, BLOB_BATCH_PROTOCOL, async (r) => { await serveBlobBatch(r, options) }, {
    maxStreamsPerPeer: MAX_BLOB_BATCH_STREAMS_PER_PEER,
    timeoutMs: options.requestTimeoutMs ?? BLOB_REQUEST_TIMEOUT_MS,
    maxMessageBytes: MAX_BLOB_MESSAGE_BYTES
  })
}

/**
 * One `/realize/blob-batch/1.0.0` stream (docs/protocols-data.md, "Blob batch"):
 * whole reads of small versions, pipelined, answered in the order asked.
 *
 *   requests ─> reader: household/arena check, open, read, verify, close (up to BLOB_BATCH_AHEAD at once)
 *            ─> writer: each answer (header, chunks, end — or one error frame) in one write, in order
 *
 * An answer that fails (NOT_FOUND, VERSION_CHANGED, arena not shared) is
 * that request's error frame and the stream goes on; a protocol violation
 * or a peer that stays silent past the idle timeout ends the stream.
 */
export async function serveBlobBatch (request: InboundRequest, options: BlobServerOptions): Promise<void> {
  const { stream } = request
  guardFlowControl(stream.stream)
  // Long-lived: each request and each answer has the idle deadline instead.
  request.clearTimeout()
  const idle = new IdleDeadline(options.idleTimeoutMs ?? BLOB_BATCH_IDLE_TIMEOUT_MS, 'waiting for the next blob-batch request', request.signal)
  // One gate per stream and codec: a run of incompressible files (photos) stops paying for samples.
  const gates = new Map<Compression, CompressionGate>()
  const gateFor = (c: Compression): CompressionGate => {
    let g = gates.get(c)
    if (g == null) gates.set(c, g = new CompressionGate(c))
    return g
  }
  const answers: Array<Promise<Uint8ArrayList>> = []
  let readerDone = false
  let readerError: unknown
  let wakeWriter: (() => void) | undefined
  let wakeReader: (() => void) | undefined
  const poke = (w: (() => void) | undefined): void => { w?.() }

  const reader = (async () => {
    try {
      for (;;) {
        while (answers.length >= BLOB_BATCH_AHEAD) await new Promise<void>((resolve) => { wakeReader = resolve })
        const req = await stream.readMaybe(BlobRequestCodec, { signal: idle.signal })
        if (req == null) return
        idle.touch()
        if (req.length > MAX_BLOB_BATCH_READ_BYTES) throw new ProtocolViolationError(`a blob-batch read of ${req.length} bytes (at most ${MAX_BLOB_BATCH_READ_BYTES})`)
        const a = answer(request, options, req, gateFor)
        a.catch(() => {})
        answers.push(a)
        const w = wakeWriter
        wakeWriter = undefined
        poke(w)
      }
    } catch (err) {
      readerError = err
    } finally {
      readerDone = true
      const w = wakeWriter
      wakeWriter = undefined
      poke(w)
    }
  })()

  try {
    for (;;) {
      if (readerError != null) throw readerError
      const next = answers.shift()
      if (next == null) {
        if (readerDone) break
        await new Promise<void>((resolve) => { wakeWriter = resolve })
        continue
      }
      const r = wakeReader
      wakeReader = undefined
      poke(r)
      const frames = await next
      await stream.writeFrames(frames, { signal: idle.signal })
      idle.touch()
    }
    if (readerError != null) throw readerError
  } finally {
    idle.clear()
    await reader
    await Promise.allSettled(answers)
  }
}

/** The frames that answer one request: header, chunks and end, or one error frame. */
async function answer (request: InboundRequest, options: BlobServerOptions, req: BlobRequest, gateFor: (c: Compression) => CompressionGate): Promise<Uint8ArrayList> {
  const out = new Uint8ArrayList()
  try {
    request.checkArena(req.arena)
    const path = parsePath(req.path)
    const handle = await options.source.open(req.arena, path, asHash(req.hash), { signal: request.signal })
    let data: Uint8Array
    try {
      checkRange(req.offset, req.length, handle.size, `reading ${req.arena}/${path}`)
      data = Buffer.allocUnsafe(req.length)
      const got = await readFully(handle, data, req.offset)
      if (got < req.length) throw new VersionChangedError(`reading ${req.arena}/${path}: the file ended at ${req.offset + got}, inside the version's ${handle.size} bytes`)
      // Bytes read while the file changed are not that version: an error instead of the data.
      await handle.verify()
    } finally {
      await handle.close()
    }
    const codec = pickCompression(req.accept)
    frame(out, BlobResponseCodec.encode({ header: { size: handle.size, codec } }))
    const g = gateFor(codec)
    for (let at = 0; at < data.byteLength; at += CHUNK_BYTES) {
      const raw = data.subarray(at, Math.min(data.byteLength, at + CHUNK_BYTES))
      frame(out, await encode(g, raw, options, request, req, req.offset + at))
    }
    frame(out, BlobResponseCodec.encode({ end: {} }))
    return out
  } catch (err) {
    if (err instanceof ProtocolViolationError) throw err
    request.log.debug({ arena: req.arena, path: req.path, err: toWireError(err), event: 'batch-read-failed' }, 'blob-batch read failed')
    const e = new Uint8ArrayList()
    frame(e, ErrorFrame.encode({ error: toWireError(err) }))
    return e
  }
}

async function encode (gate: CompressionGate, raw: Uint8Array, options: BlobServerOptions, request: InboundRequest, req: BlobRequest, at: number): Promise<Uint8ArrayList> {
  const fault = (data: Uint8Array): Uint8Array => options.faults?.hit({ point: 'blob.send', peer: request.peer.id, arena: req.arena, path: req.path, offset: at }, data, request.stream) ?? data
  if (gate.shouldCompress(raw)) {
    const packed = await compress(gate.codec, raw)
    if (packed.byteLength <= raw.byteLength * SHRINK_RATIO) {
      gate.compressed++
      return chunkFrame(fault(packed), gate.codec, raw.byteLength)
    }
    gate.notShrinking()
  }
  gate.raw++
  return chunkFrame(fault(raw), Compression.NONE, raw.byteLength)
}

function frame (out: Uint8ArrayList, bytes: Uint8Array | Uint8ArrayList): void {
  const len: number[] = []
  let n = bytes.byteLength
  while (n >= 0x80) { len.push((n % 0x80) | 0x80); n = Math.floor(n / 0x80) }
  len.push(n)
  out.append(Uint8Array.from(len), ...(bytes instanceof Uint8ArrayList ? [...bytes] : [bytes]))
}

export { BLOB_BATCH_PROTOCOL }
