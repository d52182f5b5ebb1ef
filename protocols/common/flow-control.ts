import { StreamClosedError } from '@libp2p/utils'
import type { AbortOptions, Stream } from '@libp2p/interface'

/**
 * Works around two flow-control bugs of libp2p 3 streams (@libp2p/utils
 * 7.4.1 AbstractMessageStream; still so upstream as of this writing) that
 * break bulk transfers. Applied to every stream the data protocols use.
 *
 * 1. `onDrain()` keeps one promise and never replaces it once resolved:
 *    after the first 'drain' every later `onDrain()` resolves at once, so a
 *    writer is never held back again. A 1 GiB read to a slow (or stalled)
 *    reader queued the whole file in the sender's memory, and the idle
 *    timeout never fired. Fixed: each wait is a fresh promise settled by the
 *    next 'drain' (or 'close', or the signal).
 *
 * 2. `resume()` dispatches the data buffered while paused, then tells the
 *    muxer to resume. A 'message' listener that pauses again during that
 *    dispatch (protocols/common FramedStream does, above its high-water
 *    mark) leaves the stream `paused` while yamux grants window again: the
 *    read buffer overflows and the stream is aborted (StreamBufferError) —
 *    a 64 MiB read to a consumer slower than loopback failed. Fixed: after
 *    `resume()`, a stream that says paused pauses the muxer again.
 *
 * Idempotent. The proper fixes belong upstream, or for (2) in
 * protocols/common/framing.ts (no pause inside its listener while resuming);
 * then this goes.
 */
export function guardFlowControl (stream: Stream): void {
  const s = stream as Stream & { sendPause?: () => void, __flowGuarded?: true }
  if (s.__flowGuarded === true) return
  s.__flowGuarded = true

  s.onDrain = async (options?: AbortOptions): Promise<void> => {
    if (!s.writableNeedsDrain) return
    const signal = options?.signal
    signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const done = (err?: unknown): void => {
        s.removeEventListener('drain', onDrain)
        s.removeEventListener('close', onClose)
        signal?.removeEventListener('abort', onAbort)
        if (err === undefined) resolve()
        else reject(err)
      }
      const onDrain = (): void => { done() }
      const onClose = (evt: Event): void => { done((evt as Event & { error?: Error }).error ?? new StreamClosedError('the stream closed while waiting to send')) }
      const onAbort = (): void => { done(signal?.reason) }
      s.addEventListener('drain', onDrain)
      s.addEventListener('close', onClose)
      signal?.addEventListener('abort', onAbort)
    })
  }

  if (typeof s.sendPause === 'function') {
    const resume = s.resume.bind(s)
    s.resume = () => {
      resume()
      if (s.readStatus === 'paused') s.sendPause?.()
    }
  }
}
