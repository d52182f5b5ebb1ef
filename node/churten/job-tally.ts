import type { Logger } from '../log.js'
import type { JobResult } from './types.js'

/**
 * Ended jobs summed up for the info log (issue 16): one line per job at
 * info wrote 10,000 lines for 10,000 files. Each job still has its own
 * `job-ended` line at debug (a failure at warn: it names the file and
 * the cause); at info churten says what a burst of work came to, once the
 * burst is over (no job ended for QUIET_MS) and at most every EVERY_MS
 * while it goes on.
 *
 *   {"event":"jobs-ended","jobs":10000,"done":9990,"failed":10,
 *    "kinds":{"download":10000},"fetched":..., "ms":8123}
 */

/** A burst is over when no job ended for this long. */
const QUIET_MS = 1_000
/** A long burst is reported this often. */
const EVERY_MS = 10_000

export class JobTally {
  private counts = new Map<JobResult, number>()
  private kinds = new Map<string, number>()
  private jobs = 0
  private fetched = 0
  private since = 0
  private quiet: NodeJS.Timeout | undefined
  private every: NodeJS.Timeout | undefined

  constructor (private readonly log: Logger, private readonly now: () => number = Date.now) {}

  add (kind: string, result: JobResult, fetched = 0): void {
    if (this.jobs === 0) {
      this.since = this.now()
      this.every = setTimeout(() => { this.flush() }, EVERY_MS)
      this.every.unref()
    }
    this.jobs++
    this.fetched += fetched
    this.counts.set(result, (this.counts.get(result) ?? 0) + 1)
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1)
    clearTimeout(this.quiet)
    this.quiet = setTimeout(() => { this.flush() }, QUIET_MS)
    this.quiet.unref()
  }

  /** Writes the summary of the jobs ended since the last one (nothing if none). */
  flush (): void {
    clearTimeout(this.quiet)
    clearTimeout(this.every)
    this.quiet = this.every = undefined
    if (this.jobs === 0) return
    const results = Object.fromEntries(this.counts)
    const parts = [...this.counts].map(([r, n]) => `${n} ${r}`).join(', ')
    this.log.info({ event: 'jobs-ended', jobs: this.jobs, ...results, kinds: Object.fromEntries(this.kinds), fetched: this.fetched, ms: this.now() - this.since },
      `${this.jobs} job${this.jobs === 1 ? '' : 's'} ended (${parts})`)
    this.counts = new Map()
    this.kinds = new Map()
    this.jobs = 0
    this.fetched = 0
  }
}
