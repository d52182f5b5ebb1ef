/**
 * The size gate {#sizegate}: jobs run together while the bytes in flight
 * stay under a budget (`churten.batch_bytes`, default 8 MiB); a job larger
 * than the budget runs alone. Admission is in arrival order, so a large job
 * is not starved by a stream of small ones.
 */
export class SizeGate {
  private inFlight = 0
  private running = 0
  private readonly waiting: Array<{ bytes: number, resolve: (release: () => void) => void, reject: (err: unknown) => void }> = []

  constructor (readonly budget: number, readonly maxJobs = 32) {}

  get bytesInFlight (): number { return this.inFlight }
  get jobsRunning (): number { return this.running }

  /** Resolves when a job of `bytes` may start; call the returned release when it ends. */
  async acquire (bytes: number, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    if (this.waiting.length === 0 && this.fits(bytes)) return this.admit(bytes)
    return await new Promise<() => void>((resolve, reject) => {
      const entry = { bytes, resolve, reject }
      this.waiting.push(entry)
      signal?.addEventListener('abort', () => {
        const i = this.waiting.indexOf(entry)
        if (i < 0) return
        this.waiting.splice(i, 1)
        reject(signal.reason)
        this.pump()
      }, { once: true })
    })
  }

  private fits (bytes: number): boolean {
    if (this.running >= this.maxJobs) return false
    return this.running === 0 || this.inFlight + bytes <= this.budget
  }

  private admit (bytes: number): () => void {
    this.inFlight += bytes
    this.running++
    let released = false
    return () => {
      if (released) return
      released = true
      this.inFlight -= bytes
      this.running--
      this.pump()
    }
  }

  private pump (): void {
    for (let next = this.waiting[0]; next != null && this.fits(next.bytes); next = this.waiting[0]) {
      this.waiting.shift()
      next.resolve(this.admit(next.bytes))
    }
  }
}
