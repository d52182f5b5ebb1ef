import { RequestTimeoutError } from './errors.js'

/**
 * A timeout that restarts on progress: a 1 GiB transfer may take minutes
 * on a slow link, but no single chunk may take longer than `ms`. One timer
 * refreshed per chunk, instead of a new AbortSignal per chunk.
 */
export class IdleDeadline {
  readonly signal: AbortSignal
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private paused = false

  constructor (readonly ms: number, what: string, parent?: AbortSignal) {
    this.timer = setTimeout(() => { if (!this.paused) this.controller.abort(new RequestTimeoutError(what, ms)) }, ms)
    this.timer.unref()
    this.signal = parent == null ? this.controller.signal : AbortSignal.any([parent, this.controller.signal])
  }

  /** Progress was made: the next step gets a full `ms` again (and a paused deadline runs again). */
  touch (): void {
    this.paused = false
    // refresh() also re-arms a timer that fired while paused.
    this.timer.refresh()
  }

  /** Our own work, not the peer's, takes time now: no timeout until the next touch. */
  pause (): void {
    this.paused = true
  }

  clear (): void {
    clearTimeout(this.timer)
  }
}
