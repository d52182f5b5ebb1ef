import { BLOB_IDLE_TIMEOUT_MS, BLOB_PROTOCOL, BLOB_REQUEST_TIMEOUT_MS, CHUNK_BYTES, COMPRESS_AHEAD, MAX_BLOB_MESSAGE_BYTES, MAX_BLOB_STREAMS_PER_PEER, READ_AHEAD } from './constants.js'
import { CompressionGate, SHRINK_RATIO, compress, pickCompression } from './compression.js'
import { BlobRequestCodec, BlobResponseCodec, chunkFrame } from './frames.js'
import { Compression } from './blob.js'
import { IdleDeadline } from '../common/idle.js'
import { guardFlowControl } from '../common/flow-control.js'
import { checkRange, VersionChangedError, type BlobSource, type SourceHandle } from '../common/source.js'
import { deadline } from '../common/client.js'
import { serve, type InboundRequest, type ServeComponents } from '../common/serve.js'
import { readFully } from '../common/reader.js'
import { asHash } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { Faults } from '../faults.js'

export interface BlobServerOptions {
  source: BlobSource
  /** Raw bytes per chunk. @default CHUNK_BYTES */
  chunkBytes?: number
  /** @default BLOB_IDLE_TIMEOUT_MS */
  idleTimeoutMs?: number
  /** Test-only {#testretries}. */
  faults?: Faults
}

export interface BlobServeOptions extends BlobServerOptions {
  /** @default MAX_BLOB_STREAMS_PER_PEER */
  maxStreamsPerPeer?: number
  /** @default BLOB_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
}

/** Registers the blob handler; resolves to the function that unregisters it. */
export async function startBlobServer (components: ServeComponents, options: BlobServeOptions): Promise<() => Promise<void>> {
  return await serve(components, BLOB_PROTOCOL, async (r) => { await serveBlob(r, options) }, {
    maxStreamsPerPeer: options.maxStreamsPerPeer ?? MAX_BLOB_STREAMS_PER_PEER,
    timeoutMs: options.requestTimeoutMs ?? BLOB_REQUEST_TIMEOUT_MS,
    maxMessageBytes: MAX_BLOB_MESSAGE_BYTES
  })
}

/**
 * One `/realize/blob/1.0.0` read:
 *
 *   request ─> household + arena check, path and hash parsed ─> source.open (VERSION_CHANGED?)
 *     ─> header{size, codec}
 *     ─> read ahead (threadpool) ─> gate: compress? (threadpool) ─> send, in order
 *     ─> source still that version? ─> end
 *
 * The request timeout covers the request and the header; the transfer then
 * runs as long as every chunk goes out within the idle timeout.
 */
export async function serveBlob (request: InboundRequest, options: BlobServerOptions): Promise<void> {
  const { stream } = request
  guardFlowControl(stream.stream)
  const req = await stream.read(BlobRequestCodec, 'a blob request', { signal: deadline(BLOB_REQUEST_TIMEOUT_MS, request.signal, 'waiting for the blob request') })
  request.checkArena(req.arena)
  const path = parsePath(req.path)
  const hash = asHash(req.hash)
  const handle = await options.source.open(req.arena, path, hash, { signal: request.signal })
  try {
    checkRange(req.offset, req.length, handle.size, `reading ${req.arena}/${path}`)
    const codec = pickCompression(req.accept)
    await stream.write({ header: { size: handle.size, codec } }, BlobResponseCodec, { signal: request.signal })
    request.clearTimeout()
    const idle = new IdleDeadline(options.idleTimeoutMs ?? BLOB_IDLE_TIMEOUT_MS, `sending ${req.arena}/${path}`, request.signal)
    try {
      await new ChunkPipeline(request, handle, options, codec, idle, { arena: req.arena, path }).run(req.offset, req.offset + req.length)
      // Bytes read while the file changed are not that version: say so instead of `end`.
      await handle.verify()
      await stream.write({ end: {} }, BlobResponseCodec, { signal: idle.signal })
    } finally {
      idle.clear()
    }
  } finally {
    await handle.close()
  }
}

/** Reads, compresses and sends one range in order, with reads and compression running ahead. */
class ChunkPipeline {
  private readonly chunkBytes: number
  private readonly gate: CompressionGate

  constructor (
    private readonly request: InboundRequest,
    private readonly handle: SourceHandle,
    private readonly options: BlobServerOptions,
    codec: Compression,
    private readonly idle: IdleDeadline,
    private readonly where: { arena: string, path: string }
  ) {
    this.chunkBytes = Math.max(1, options.chunkBytes ?? CHUNK_BYTES)
    this.gate = new CompressionGate(codec)
  }

  async run (start: number, end: number): Promise<void> {
    const reads: Array<Promise<{ at: number, data: Uint8Array }>> = []
    const frames: Array<Promise<{ at: number, frame: Uint8ArrayList }>> = []
    let next = start
    const readNext = (): void => {
      const at = next
      const n = Math.min(this.chunkBytes, end - at)
      next += n
      const p = this.read(at, n)
      // Awaited in order below; this only keeps a failure from being "unhandled" meanwhile.
      p.catch(() => {})
      reads.push(p)
    }
    try {
      while (reads.length < READ_AHEAD && next < end) readNext()
      while (reads.length > 0 || frames.length > 0) {
        while (frames.length < COMPRESS_AHEAD && reads.length > 0) {
          const chunk = await reads.shift()!
          if (next < end) readNext()
          const f = this.encode(chunk.at, chunk.data)
          f.catch(() => {})
          frames.push(f)
        }
        const { frame } = await frames.shift()!
        await this.send(frame)
      }
    } finally {
      // Settle what is still running before the handle is closed under it.
      await Promise.allSettled([...reads, ...frames])
    }
  }

  private async read (at: number, n: number): Promise<{ at: number, data: Uint8Array }> {
    // A fresh buffer per chunk: the stream may hold on to it until it is written out.
    const data = Buffer.allocUnsafe(n)
    const got = await readFully(this.handle, data, at)
    if (got < n) throw new VersionChangedError(`reading ${this.where.arena}/${this.where.path}: the file ended at ${at + got}, inside the version's ${this.handle.size} bytes`)
    return { at, data }
  }

  private async encode (at: number, raw: Uint8Array): Promise<{ at: number, frame: Uint8ArrayList }> {
    if (this.gate.shouldCompress(raw)) {
      const packed = await compress(this.gate.codec, raw)
      if (packed.byteLength <= raw.byteLength * SHRINK_RATIO) {
        this.gate.compressed++
        return { at, frame: chunkFrame(this.fault(at, packed), this.gate.codec, raw.byteLength) }
      }
      this.gate.notShrinking()
    }
    this.gate.raw++
    return { at, frame: chunkFrame(this.fault(at, raw), Compression.NONE, raw.byteLength) }
  }

  private fault (at: number, data: Uint8Array): Uint8Array {
    const faults = this.options.faults
    if (faults == null) return data
    const ctx = { point: 'blob.send' as const, peer: this.request.peer.id, ...this.where, offset: at }
    return faults.hit(ctx, data, this.request.stream) ?? data
  }

  private async send (frame: Uint8ArrayList): Promise<void> {
    await this.request.stream.writeFrame(frame, { signal: this.idle.signal })
    this.idle.touch()
  }
}

export { BLOB_PROTOCOL }
