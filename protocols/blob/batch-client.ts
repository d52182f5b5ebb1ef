import { BLOB_BATCH_PROTOCOL, BLOB_IDLE_TIMEOUT_MS, BLOB_REQUEST_TIMEOUT_MS, MAX_BLOB_BATCH_READ_BYTES, MAX_BLOB_MESSAGE_BYTES } from './constants.js'
import { SUPPORTED, compressionToWire } from './compression.js'
import { BlobRequestCodec, BlobResponseCodec, parseChunkFrame } from './frames.js'
import { Compression } from './blob.js'
import { flatten } from './bytes.js'
import { checkChunk, decode, type BlobReadRequest, type BlobReadSummary, type BlobWriteFn, type ReceivedChunk } from './client.js'
import { IdleDeadline } from '../common/idle.js'
import { guardFlowControl } from '../common/flow-control.js'
import { describeRange, openStream, peerName, type DataClientComponents } from '../common/client.js'
import { PeerRemoteError, ProtocolViolationError, wrapPeerError } from '../common/errors.js'
import { hashToHex } from '../../datastore/types/hash.js'
import { RealizeError } from '../../datastore/types/errors.js'
import { decodeFrame, StreamEndedError, type FramedStream } from '../common/framing.js'
import type { Faults } from '../faults.js'

export interface BlobBatchOptions {
  /** Bandwidth limit {#churtenlimit}, awaited with each chunk's wire bytes. */
  throttle?: (bytes: number, signal?: AbortSignal) => Promise<void>
  /** Test-only {#testretries}. */
  faults?: Faults
  /** The stream is closed after this long with nothing asked. @default 1000 */
  lingerMs?: number
}

interface Pending {
  req: BlobReadRequest
  write: BlobWriteFn
  signal: AbortSignal
  /** Settled already (aborted, or a local write failed): the rest of its answer is read and dropped. */
  settled: boolean
  resolve: (s: BlobReadSummary) => void
  reject: (err: unknown) => void
  onAbort: () => void
}

/** The peer does not speak blob-batch (an older node): the caller reads the ordinary way. */
export class BatchUnsupportedError extends RealizeError {
  constructor (message: string, options: { cause?: unknown }) {
    super('BATCH_UNSUPPORTED', message, options)
  }
}

/**
 * Small whole-file reads from one peer over one `/realize/blob-batch/1.0.0`
 * stream (docs/protocols-data.md, "Blob batch"): requests are written as they come, several in one
 * write when they come together, and the answers are read in the same
 * order. The stream opens with the first read and closes after `lingerMs`
 * with nothing asked. A failure of the stream fails every read waiting on
 * it (each is decided again by its job); an error answer fails only its
 * read. Failures are wrapped like the blob client's {#errormsg}.
 */
export class BlobBatchReader {
  private stream: FramedStream | undefined
  private opening: Promise<FramedStream> | undefined
  /** Asked, answer not read yet, in order. */
  private readonly waiting: Pending[] = []
  /** Not written yet (the stream is opening, or they are gathered for one write). */
  private unsent: Pending[] = []
  private flushQueued = false
  private linger: NodeJS.Timeout | undefined
  /** The stream whose answers are being read. */
  private reading: FramedStream | undefined
  unsupported = false

  constructor (private readonly components: DataClientComponents, readonly peerId: string, private readonly options: BlobBatchOptions = {}) {}

  async read (req: BlobReadRequest, write: BlobWriteFn, options: { signal: AbortSignal }): Promise<BlobReadSummary> {
    options.signal.throwIfAborted()
    if (req.length > MAX_BLOB_BATCH_READ_BYTES) throw new RangeError(`a blob-batch read is at most ${MAX_BLOB_BATCH_READ_BYTES} bytes`)
    if (this.linger != null) { clearTimeout(this.linger); this.linger = undefined }
    return await new Promise<BlobReadSummary>((resolve, reject) => {
      const p: Pending = {
        req, write, signal: options.signal, settled: false, resolve, reject,
        onAbort: () => { this.settle(p, options.signal.reason) }
      }
      options.signal.addEventListener('abort', p.onAbort, { once: true })
      this.unsent.push(p)
      if (!this.flushQueued) {
        this.flushQueued = true
        setImmediate(() => { this.flushQueued = false; void this.flush() })
      }
    })
  }

  private settle (p: Pending, err: unknown, summary?: BlobReadSummary): void {
    if (p.settled) return
    p.settled = true
    p.signal.removeEventListener('abort', p.onAbort)
    if (err != null) p.reject(err)
    else p.resolve(summary!)
  }

  private async flush (): Promise<void> {
    if (this.unsent.length === 0) return
    // A stream closed under us (the connection went away) is not written to: the next one is opened.
    if (this.stream != null && this.stream.stream.writeStatus !== 'writable') this.fail(this.stream, new StreamEndedError('the answers to blob-batch reads'))
    let stream: FramedStream
    try {
      stream = this.stream ?? await (this.opening ??= this.open())
    } catch (err) {
      for (const p of this.unsent.splice(0)) this.settle(p, err)
      return
    }
    const batch = this.unsent.splice(0).filter((p) => !p.settled)
    if (batch.length === 0) return this.idle()
    this.waiting.push(...batch)
    const accept = SUPPORTED.map(compressionToWire)
    // Written without awaiting the drain first: the order of writes is the order of answers.
    const sent = stream.writeAll(batch.map((p) => ({ ...p.req, hash: p.req.hash as Uint8Array<ArrayBuffer>, accept })), BlobRequestCodec)
    sent.catch((err) => { this.fail(stream, err) })
    if (this.reading !== stream) void this.readAnswers(stream)
  }

  private async open (): Promise<FramedStream> {
    try {
      const s = await openStream(this.components.host, this.peerId, BLOB_BATCH_PROTOCOL, { maxMessageBytes: MAX_BLOB_MESSAGE_BYTES, timeoutMs: BLOB_REQUEST_TIMEOUT_MS })
      guardFlowControl(s.stream)
      this.stream = s
      return s
    } catch (err) {
      if ((err as Error).name === 'UnsupportedProtocolError') {
        this.unsupported = true
        throw new BatchUnsupportedError(`${peerName(this.components, this.peerId)} does not speak ${BLOB_BATCH_PROTOCOL}`, { cause: err })
      }
      throw wrapPeerError(`opening ${BLOB_BATCH_PROTOCOL} to ${peerName(this.components, this.peerId)}`, err)
    } finally {
      this.opening = undefined
    }
  }

  /** Reads answers while reads wait; the stream's failure fails them all. */
  private async readAnswers (stream: FramedStream): Promise<void> {
    this.reading = stream
    try {
      while (this.waiting.length > 0 && this.stream === stream) {
        const p = this.waiting[0]!
        await this.answer(stream, p)
        this.waiting.shift()
      }
    } catch (err) {
      this.fail(stream, err)
    } finally {
      if (this.reading === stream) this.reading = undefined
    }
    if (this.stream === stream) this.idle()
  }

  /** One read's answer: header, chunks into `write`, end — or its error frame. */
  private async answer (stream: FramedStream, p: Pending): Promise<void> {
    const { req } = p
    const operation = `reading ${describeRange(req)} from ${peerName(this.components, this.peerId)}`
    const idle = new IdleDeadline(BLOB_IDLE_TIMEOUT_MS, 'waiting for a blob-batch answer')
    try {
      const first = await stream.readFrameList({ signal: idle.signal })
      if (first == null) throw new StreamEndedError('the answer to a blob-batch read')
      let head
      try {
        head = decodeFrame(first, BlobResponseCodec)
      } catch (err) {
        // An error answer is this read's alone; anything else breaks the stream.
        if (!(err instanceof PeerRemoteError)) throw err
        this.settle(p, wrapPeerError(operation, err))
        return
      }
      if (head.header == null) throw new ProtocolViolationError('expected the blob header')
      const { size, codec } = head.header
      if (size < req.offset + req.length) throw new ProtocolViolationError(`the peer's version ${hashToHex(req.hash).slice(0, 12)} has ${size} bytes, fewer than the ${req.offset + req.length} asked`)
      if (codec !== Compression.NONE && !SUPPORTED.includes(codec)) throw new ProtocolViolationError(`the peer picked codec ${codec}, which was not offered`)
      const summary: BlobReadSummary = { bytes: 0, wireBytes: 0, codec, compressedChunks: 0, rawChunks: 0 }
      let offset = req.offset
      const end = req.offset + req.length
      for (;;) {
        const frame = await stream.readFrameList({ signal: idle.signal })
        if (frame == null) throw new StreamEndedError('the rest of a blob-batch answer')
        idle.touch()
        const fast = parseChunkFrame(frame)
        const m: { chunk?: ReceivedChunk, end?: unknown } = fast != null ? { chunk: fast } : decodeFrame(frame, BlobResponseCodec)
        if (m.end != null) break
        if (m.chunk == null) throw new ProtocolViolationError('expected a blob chunk or the end')
        checkChunk(m.chunk, codec, offset, end)
        if (m.chunk.codec === Compression.NONE) summary.rawChunks++
        else summary.compressedChunks++
        summary.wireBytes += m.chunk.data.byteLength
        if (this.options.throttle != null) {
          idle.pause()
          await this.options.throttle(m.chunk.data.byteLength)
          idle.touch()
        }
        const piece = await decode(m.chunk, offset)
        offset += m.chunk.rawLength
        if (p.settled) continue
        const faults = this.options.faults
        let data = flatten(piece.data)
        if (faults != null) data = faults.hit({ point: 'blob.receive', peer: this.peerId, arena: req.arena, path: req.path, offset: piece.offset }, data, stream.stream) ?? data
        try {
          if (faults != null) data = faults.hit({ point: 'write', peer: this.peerId, arena: req.arena, path: req.path, offset: piece.offset }, data, undefined) ?? data
          await p.write(data, piece.offset)
        } catch (err) {
          this.settle(p, wrapPeerError(operation, err, 'local'))
        }
      }
      if (offset !== end) throw new ProtocolViolationError(`the blob ended at ${offset}, expected ${end}`)
      summary.bytes = req.length
      this.settle(p, undefined, summary)
    } catch (err) {
      throw wrapPeerError(operation, err)
    } finally {
      idle.clear()
    }
  }

  /** The stream failed: every read on it fails with the cause; the next read opens a new one. */
  private fail (stream: FramedStream, err: unknown): void {
    if (this.stream !== stream) return
    this.stream = undefined
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    for (const p of this.waiting.splice(0)) this.settle(p, wrapPeerError(`reading ${describeRange(p.req)} from ${peerName(this.components, this.peerId)}`, err))
  }

  /** Nothing waits: close after the linger time unless a read comes first. */
  private idle (): void {
    if (this.waiting.length > 0 || this.unsent.length > 0 || this.stream == null || this.linger != null) return
    this.linger = setTimeout(() => {
      this.linger = undefined
      const s = this.stream
      if (s == null || this.waiting.length > 0 || this.unsent.length > 0) return
      this.stream = undefined
      void s.close({ signal: AbortSignal.timeout(BLOB_REQUEST_TIMEOUT_MS) }).catch((err) => { s.abort(err as Error) })
    }, this.options.lingerMs ?? 1000)
    this.linger.unref()
  }

  /** Fails what waits and closes the stream (the node stops, the peer left). */
  close (err: Error): void {
    if (this.linger != null) { clearTimeout(this.linger); this.linger = undefined }
    const s = this.stream
    if (s != null) this.fail(s, err)
    for (const p of this.unsent.splice(0)) this.settle(p, err)
  }
}
