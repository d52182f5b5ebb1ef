/**
 * Which refused strangers to report: a user adding a new machine
 * finds its PeerId in the log, but a peer retrying every few seconds, or
 * a flood of fresh keys, must not fill the log. Each PeerId is reported at
 * most once per window; at most MAX_REMEMBERED PeerIds are remembered (the
 * oldest forgotten first), and at most MAX_REPORTS reports are made per
 * window in all.
 */

/** One report per PeerId per this long. */
export const REFUSAL_WINDOW_MS = 10 * 60 * 1000
/** Distinct PeerIds remembered. */
export const MAX_REMEMBERED = 1024
/** Reports per window, whatever the PeerIds (fresh keys cost an attacker nothing). */
export const MAX_REPORTS = 32

export interface RefusalOptions {
  windowMs?: number
  maxRemembered?: number
  maxReports?: number
  now?: () => number
}

export class StrangerRefusals {
  /** PeerId -> when last reported, oldest first. */
  private readonly seen = new Map<string, number>()
  private readonly reports: number[] = []
  private readonly windowMs: number
  private readonly maxRemembered: number
  private readonly maxReports: number
  private readonly now: () => number

  constructor (options: RefusalOptions = {}) {
    this.windowMs = options.windowMs ?? REFUSAL_WINDOW_MS
    this.maxRemembered = options.maxRemembered ?? MAX_REMEMBERED
    this.maxReports = options.maxReports ?? MAX_REPORTS
    this.now = options.now ?? Date.now
  }

  /** Whether this refusal of `peerId` is to be reported. */
  report (peerId: string): boolean {
    const now = this.now()
    const last = this.seen.get(peerId)
    if (last != null && now - last < this.windowMs) return false
    while (this.reports.length > 0 && now - (this.reports[0] as number) >= this.windowMs) this.reports.shift()
    if (this.reports.length >= this.maxReports) return false
    this.reports.push(now)
    this.seen.delete(peerId)
    this.seen.set(peerId, now)
    for (const id of this.seen.keys()) {
      if (this.seen.size <= this.maxRemembered) break
      this.seen.delete(id)
    }
    return true
  }
}
