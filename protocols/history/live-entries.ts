import { MAX_QUEUED_ENTRIES } from './constants.js'
import type { HistoryEntry } from '../../datastore/types/history.js'

export interface LiveEntriesOptions {
  /** Acknowledges everything through `n` to the publisher. */
  ack: (n: number) => Promise<void>
  /** A store or an ack failed: stop reading (the reader then calls `check`). */
  abort: (err: unknown) => void
  /** Entries queued before `push` waits for the store. @default MAX_QUEUED_ENTRIES */
  maxQueued?: number
}

/**
 * A subscriber's live entries on their way to the store, one write at a
 * time: entries that arrive while a write runs go together into the next,
 * acknowledged after it. A peer that realizes many small files publishes a
 * small frame per file; storing each alone cost a commit per file.
 */
export class LiveEntries {
  private queued: HistoryEntry[] = []
  private storing: Promise<void> | undefined
  private failed: { err: unknown } | undefined

  constructor (private readonly store: (entries: HistoryEntry[]) => Promise<void>, private readonly options: LiveEntriesOptions) {}

  /** Queues entries (in order) for the next write; waits while too many are queued (backpressure on the stream). */
  async push (entries: HistoryEntry[]): Promise<void> {
    this.check()
    this.queued.push(...entries)
    this.storing ??= this.run()
    if (this.queued.length >= (this.options.maxQueued ?? MAX_QUEUED_ENTRIES)) await this.drain()
  }

  /** Throws the failure of a store or an ack, if there was one. */
  check (): void {
    if (this.failed != null) throw this.failed.err
  }

  /** Resolves once everything queued is stored and acknowledged; rejects with a failure of either. */
  async drain (): Promise<void> {
    while (this.storing != null) await this.storing
    this.check()
  }

  private async run (): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const batch = this.queued
        this.queued = []
        await this.store(batch)
        await this.options.ack((batch[batch.length - 1] as HistoryEntry).n)
      }
    } catch (err) {
      this.failed = { err }
      this.options.abort(err)
    } finally {
      this.storing = undefined
    }
  }
}
