import { Uint8ArrayList } from 'uint8arraylist'
import { ErrorFrame, type WireError } from '../../protocols/common/wire.js'
import type { Stream } from '@libp2p/interface'

/** What one fuzz case got back on its stream. */
export interface Outcome {
  /** reset: the node reset it (a framing violation, a timeout); closed: it ended cleanly; open: still open when we stopped waiting. */
  ending: 'reset' | 'closed' | 'open' | 'refused'
  /** Error frames the node sent. */
  errors: WireError[]
  /** Frames that were not error frames (replies). */
  replies: number
}

/**
 * Writes `chunks` on `stream` (closing our side after when `closeWrite`),
 * then reads length-prefixed frames until the node ends the stream or
 * `waitMs` passes; a stream still open then is aborted by us.
 */
export async function readReplies (stream: Stream, chunks: readonly Uint8Array[], options: { closeWrite: boolean, waitMs: number }): Promise<Outcome> {
  const buf = new Uint8ArrayList()
  const out: Outcome = { ending: 'open', errors: [], replies: 0 }
  const parse = (): void => {
    for (;;) {
      let len = 0
      let i = 0
      for (; i < Math.min(buf.byteLength, 5); i++) {
        const b = buf.get(i)
        len += (b & 0x7f) * 2 ** (7 * i)
        if ((b & 0x80) === 0) break
      }
      if (i >= buf.byteLength || i >= 5 || buf.byteLength < i + 1 + len) return
      const body = buf.subarray(i + 1, i + 1 + len)
      buf.consume(i + 1 + len)
      let error: WireError | undefined
      try {
        error = ErrorFrame.decode(body).error
      } catch {}
      if (error != null) out.errors.push(error)
      else out.replies++
    }
  }
  const ended = new Promise<'reset' | 'closed'>((resolve) => {
    if (stream.status === 'reset' || stream.status === 'aborted') { resolve('reset'); return }
    if (stream.status === 'closed') { resolve('closed'); return }
    stream.addEventListener('close', (evt) => { resolve(evt.error != null ? 'reset' : 'closed') }, { once: true })
    // The node ended its side (after an error frame or its last reply): nothing more will come.
    stream.addEventListener('remoteCloseWrite', () => { resolve('closed') }, { once: true })
  })
  stream.addEventListener('message', (evt) => {
    buf.append(evt.data)
    // Bulk replies (blob chunks) only count; keep memory flat.
    parse()
  })
  try {
    for (const c of chunks) {
      if (stream.writeStatus !== 'writable') break
      if (!stream.send(c)) await stream.onDrain({ signal: AbortSignal.timeout(options.waitMs) })
    }
    if (options.closeWrite && stream.writeStatus === 'writable') await stream.close({ signal: AbortSignal.timeout(options.waitMs) })
  } catch {
    // The node may reset us mid-write: the ending says so.
  }
  let timer: NodeJS.Timeout | undefined
  const waited = new Promise<'open'>((resolve) => { timer = setTimeout(() => { resolve('open') }, options.waitMs) })
  out.ending = await Promise.race([ended, waited])
  clearTimeout(timer)
  if (out.ending === 'open') stream.abort(new Error('fuzz case over'))
  return out
}
