import { SerialQueue } from '../../datastore/types/serial.js'

/**
 * Bandwidth limits (spec section 6, limits; config `[limits]`):
 * `upload` and `download` hold all data traffic of the node, while
 * `churten_download` holds only churten's downloads, so on-demand reads
 * stay fast while background sync is throttled {#churtenlimit}.
 *
 * A token bucket per limit, filled at the configured rate up to one
 * second's worth. Taking more than is there goes into debt and waits it
 * off, so a chunk larger than the bucket still passes, just late, and the
 * long-run rate is exactly the limit. Waiting on the receiving side delays
 * reading the stream; yamux flow control then slows the sender.
 */
export class RateLimit {
  private tokens: number
  private last: number
  /** Takers waiting for the debt to clear, in order. */
  private readonly takers = new SerialQueue()

  /** `bytesPerSecond` 0 means unlimited. */
  constructor (readonly bytesPerSecond: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = bytesPerSecond
    this.last = now()
  }

  get unlimited (): boolean {
    return this.bytesPerSecond <= 0
  }

  /** Resolves when `bytes` may pass; rejects with the signal's reason when aborted. */
  async take (bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.unlimited || bytes <= 0) return
    signal?.throwIfAborted()
    // One taker at a time, so debts are paid in arrival order.
    await this.takers.run(async () => {
      this.refill()
      this.tokens -= bytes
      if (this.tokens >= 0) return
      try {
        await sleep(-this.tokens / this.bytesPerSecond * 1000, signal)
      } catch (err) {
        // Aborted: those bytes never pass, so they are not owed.
        this.tokens += bytes
        throw err
      }
    })
  }

  private refill (): void {
    const t = this.now()
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + (t - this.last) / 1000 * this.bytesPerSecond)
    this.last = t
  }
}

/** The node's limits, built once from the config and shared by every client and server. */
export interface RateLimits {
  upload: RateLimit
  download: RateLimit
  churtenDownload: RateLimit
}

export function rateLimits (limits: { upload: number, download: number, churtenDownload: number }): RateLimits {
  return { upload: new RateLimit(limits.upload), download: new RateLimit(limits.download), churtenDownload: new RateLimit(limits.churtenDownload) }
}

/** A throttle over several limits at once (a churten download counts against `download` and `churten_download`). */
export function throttleOf (...limits: RateLimit[]): ((bytes: number, signal?: AbortSignal) => Promise<void>) | undefined {
  const active = limits.filter((l) => !l.unlimited)
  if (active.length === 0) return undefined
  return async (bytes, signal) => { await Promise.all(active.map(async (l) => { await l.take(bytes, signal) })) }
}

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
