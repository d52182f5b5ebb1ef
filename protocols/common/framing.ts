import { Uint8ArrayList } from 'uint8arraylist'
import { DEFAULT_MAX_MESSAGE_BYTES, READ_HIGH_WATER_BYTES } from './constants.js'
import { MessageTooLargeError, ProtocolViolationError, TruncatedMessageError, fromWireError } from './errors.js'
import { ErrorFrame, type WireError } from './wire.js'
import type { Stream } from '@libp2p/interface'

/** What protons generates for a message: `encode` and `decode`. */
export interface MessageCodec<T> {
  encode: (value: T) => Uint8Array
  decode: (bytes: Uint8Array | Uint8ArrayList) => T
}

export interface FramedStreamOptions {
  /** @default DEFAULT_MAX_MESSAGE_BYTES */
  maxMessageBytes?: number
}

/** Thrown by `read` when the stream ends where a message was required. */
export class StreamEndedError extends TruncatedMessageError {
  constructor (what: string) {
    super(`the peer closed the stream before sending ${what}`)
  }
}

/** Varint length of at most 5 bytes (frames are far below 2^32). */
const MAX_VARINT_BYTES = 5

function decodeVarint (buf: Uint8ArrayList): { value: number, bytes: number } | undefined {
  let value = 0
  for (let i = 0; i < Math.min(buf.byteLength, MAX_VARINT_BYTES); i++) {
    const b = buf.get(i)
    value += (b & 0x7f) * 2 ** (7 * i)
    if ((b & 0x80) === 0) return { value, bytes: i + 1 }
  }
  if (buf.byteLength >= MAX_VARINT_BYTES) throw new ProtocolViolationError('malformed frame length')
  return undefined
}

function encodeVarint (n: number): Uint8Array {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}

/**
 * One frame's message: an error frame throws the peer's error; undecodable
 * bytes throw ProtocolViolationError.
 */
export function decodeFrame<T> (frame: Uint8Array | Uint8ArrayList, codec: MessageCodec<T>): T {
  let error: WireError | undefined
  try {
    error = ErrorFrame.decode(frame).error
  } catch (err) {
    throw new ProtocolViolationError('undecodable message', { cause: err })
  }
  if (error != null) throw fromWireError(error)
  try {
    return codec.decode(frame)
  } catch (err) {
    throw new ProtocolViolationError('undecodable message', { cause: err })
  }
}

/**
 * Length-prefixed protobuf frames on a libp2p stream (varint length +
 * message), with the limits every Realize protocol needs: a frame longer than
 * `maxMessageBytes` is refused as soon as its length is read, a stream that
 * ends mid-frame is an error, and a sender that runs ahead of us is paused
 * (yamux then stops its window) instead of filling memory.
 *
 * Any frame may be an error frame (field 15, see wire.proto): `read` throws
 * it as a `PeerRemoteError`. Other decode failures are `ProtocolViolationError`.
 */
export class FramedStream {
  readonly maxMessageBytes: number
  private readonly buffer = new Uint8ArrayList()
  private ended = false
  private endError: Error | undefined
  private wake: (() => void) | undefined

  constructor (readonly stream: Stream, options: FramedStreamOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    stream.addEventListener('message', (evt) => {
      this.buffer.append(evt.data)
      if (this.buffer.byteLength > READ_HIGH_WATER_BYTES + this.maxMessageBytes && stream.readStatus === 'readable') stream.pause()
      this.notify()
    })
    const end = (err?: Error): void => {
      this.ended = true
      this.endError ??= err
      this.notify()
    }
    stream.addEventListener('remoteCloseWrite', () => { end() })
    stream.addEventListener('close', (evt) => { end(evt.error) })
    if (stream.status !== 'open' || stream.readableEnded) end()
  }

  private notify (): void {
    const w = this.wake
    this.wake = undefined
    w?.()
  }

  /** The next frame's bytes, or undefined when the stream ended cleanly between frames. */
  async readFrame (options: { signal?: AbortSignal } = {}): Promise<Uint8Array | undefined> {
    return (await this.readFrameList(options))?.subarray()
  }

  /**
   * The next frame as the pieces it arrived in, not copied together (bulk
   * data: a 256 KiB blob chunk arrives in about five pieces), or undefined
   * when the stream ended cleanly between frames.
   */
  async readFrameList (options: { signal?: AbortSignal } = {}): Promise<Uint8ArrayList | undefined> {
    for (;;) {
      const len = decodeVarint(this.buffer)
      if (len != null && len.value > this.maxMessageBytes) throw new MessageTooLargeError(len.value, this.maxMessageBytes)
      if (len != null && this.buffer.byteLength >= len.bytes + len.value) {
        const frame = this.buffer.sublist(len.bytes, len.bytes + len.value)
        this.buffer.consume(len.bytes + len.value)
        if (this.stream.readStatus === 'paused' && this.buffer.byteLength < READ_HIGH_WATER_BYTES) this.stream.resume()
        return frame
      }
      if (this.ended) {
        if (this.endError != null) throw this.endError
        if (this.buffer.byteLength === 0) return undefined
        throw new TruncatedMessageError(`the stream ended in the middle of a message (${this.buffer.byteLength} bytes of it)`)
      }
      await this.waitForData(options.signal)
    }
  }

  private async waitForData (signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.wake = undefined
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.wake = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
    })
  }

  /**
   * The next message, or undefined at a clean end of stream. An error frame
   * throws the peer's error; undecodable bytes throw ProtocolViolationError.
   */
  async readMaybe<T> (codec: MessageCodec<T>, options: { signal?: AbortSignal } = {}): Promise<T | undefined> {
    const frame = await this.readFrame(options)
    if (frame == null) return undefined
    return decodeFrame(frame, codec)
  }

  /** The next message; the stream ending instead is a TruncatedMessageError naming `what`. */
  async read<T> (codec: MessageCodec<T>, what: string, options: { signal?: AbortSignal } = {}): Promise<T> {
    const m = await this.readMaybe(codec, options)
    if (m === undefined) throw new StreamEndedError(what)
    return m
  }

  async write<T> (message: T, codec: MessageCodec<T>, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.writeFrame(codec.encode(message), options)
  }

  /** Several messages in one write. */
  async writeAll<T> (messages: readonly T[], codec: MessageCodec<T>, options: { signal?: AbortSignal } = {}): Promise<void> {
    const list = new Uint8ArrayList()
    for (const m of messages) {
      const bytes = codec.encode(m)
      list.append(encodeVarint(bytes.byteLength), bytes)
    }
    // One buffer: the muxer and the encryption take a list's pieces one by
    // one, and 256 hash results made 512 socket writes (~0.4 s of one
    // thread under load, scripts/bench-responsive.ts).
    await this.send(new Uint8ArrayList(list.subarray()), options)
  }

  /** One frame of already encoded bytes (callers that build frames themselves, e.g. blob chunks). */
  async writeFrame (bytes: Uint8Array | Uint8ArrayList, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.send(new Uint8ArrayList(encodeVarint(bytes.byteLength), bytes), options)
  }

  /** Frames already length-prefixed by the caller (several answers of a pipelined protocol), in one write. */
  async writeFrames (frames: Uint8ArrayList, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.send(new Uint8ArrayList(frames.subarray()), options)
  }

  /** Sends the error frame {#errormsg}; the caller closes the stream after. */
  async writeError (error: WireError, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.writeFrame(ErrorFrame.encode({ error }), options)
  }

  private async send (data: Uint8ArrayList, options: { signal?: AbortSignal }): Promise<void> {
    options.signal?.throwIfAborted()
    if (!this.stream.send(data)) await this.stream.onDrain(options)
  }

  /** Closes our writing end (the peer sees a clean end of stream) once sent data is flushed. */
  async close (options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.stream.close(options)
  }

  /** Resets the stream: both ends fail at once; used for protocol violations and timeouts. */
  abort (err: Error): void {
    this.stream.abort(err)
  }
}
