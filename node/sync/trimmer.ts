import { historyAcksTable, HistoryAcksTable, type HistoryAck } from '../../datastore/tables/history-acks.js'
import { tombstonesTable } from '../../datastore/tables/tombstones.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { describeError } from '../../datastore/types/errors.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Logger } from '../log.js'
import type { RelPath } from '../../datastore/types/path.js'

export interface TrimmerOptions {
  /** PeerIds of the household members this arena is shared with. */
  members: () => string[]
  /** A peer silent for longer stops holding history back (config `history.inactive_after`). */
  inactiveAfterMs: number
  /** Delay between an acknowledgement and the trim it allows. @default 5_000 */
  delayMs?: number
  log: Logger
  now?: () => number
}

/** Expired tombstones are looked for at most this often (a scan of the table). */
const TOMBSTONE_SWEEP_MS = 60 * 60_000
/** Expired tombstones deleted per batch. */
const SWEEP_BATCH = 1000

/**
 * Trims history every active subscriber has stored (spec section 3):
 * through the lowest acknowledgement of the household peers sharing the
 * arena that were active within `inactive_after`, and never past what an
 * open subscription may still read from the store (`hold`). A peer that
 * never subscribed, went silent, or acknowledged an older store id gets a
 * full catch-up when it comes, so it holds nothing back.
 *
 * Tombstones (what this node deleted) go the same way after
 * `inactive_after`: every peer active since then has seen the Remove live
 * or in a catch-up listing; one silent for longer may bring the file back.
 */
export class HistoryTrimmer {
  readonly acks: HistoryAcksTable
  private readonly holds = new Map<object, number>()
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number
  private lastSweep = -Infinity
  /**
   * Acknowledgements not yet in the store. A subscriber acknowledges every
   * frame it stores (thousands when many small files sync); one commit each
   * was a top cost, so they are saved with the next trim and at stop. A crash
   * loses only the latest ones: less is trimmed, nothing is lost.
   */
  private readonly unsaved = new Map<string, HistoryAck>()

  constructor (private readonly store: ArenaStore, private readonly options: TrimmerOptions) {
    this.acks = new HistoryAcksTable(store.store)
    this.now = options.now ?? Date.now
  }

  /** Records an acknowledgement (saved with the next trim) and schedules that trim. */
  async acknowledge (peerId: string, n: number): Promise<void> {
    this.unsaved.set(peerId, { storeId: this.store.storeId, acked: n, lastActive: this.now() })
    this.schedule()
  }

  /** Writes the acknowledgements received since the last save, in one batch. */
  async saveAcks (): Promise<void> {
    if (this.unsaved.size === 0) return
    const acks = [...this.unsaved]
    this.unsaved.clear()
    await this.store.store.write((b) => { for (const [peerId, ack] of acks) b.put(historyAcksTable, peerId, ack) })
  }

  /** An open subscription needs entries after `after` from the store; undefined releases it. */
  hold (token: object, after: number | undefined): void {
    if (after == null) this.holds.delete(token)
    else this.holds.set(token, after)
  }

  schedule (): void {
    if (this.timer != null) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.trim().catch((err) => { this.options.log.warn({ err: describeError(err) }, 'history trim failed') })
    }, this.options.delayMs ?? 5_000)
    this.timer.unref()
  }

  /** Stops trimming; saves what was acknowledged. */
  async stop (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.saveAcks()
  }

  /** The `n` through which history may go now. */
  async trimmable (): Promise<number> {
    await this.saveAcks()
    let through = this.store.history.lastN
    for (const after of this.holds.values()) through = Math.min(through, after)
    const members = new Set(this.options.members())
    const cutoff = this.now() - this.options.inactiveAfterMs
    for await (const [peerId, ack] of this.acks.all()) {
      if (!members.has(peerId) || ack.lastActive < cutoff || !hashEquals(ack.storeId, this.store.storeId)) continue
      through = Math.min(through, ack.acked)
    }
    return through
  }

  /** Deletes tombstones older than `inactive_after`; returns how many. */
  async expireTombstones (): Promise<number> {
    this.lastSweep = this.now()
    const cutoff = this.now() - this.options.inactiveAfterMs
    const expired: RelPath[] = []
    for await (const [path, t] of this.store.tombstones.all()) if (t.deletedAt < cutoff) expired.push(path)
    for (let i = 0; i < expired.length; i += SWEEP_BATCH) {
      const chunk = expired.slice(i, i + SWEEP_BATCH)
      await this.store.store.write(async (batch) => {
        // Re-read in the batch: a deletion since the scan wrote a fresh tombstone.
        await batch.prefetch(tombstonesTable, chunk)
        for (const path of chunk) {
          const t = await batch.get(tombstonesTable, path)
          if (t != null && t.deletedAt < cutoff) this.store.tombstones.delete(batch, path)
        }
      })
    }
    if (expired.length > 0) this.options.log.info({ expired: expired.length, event: 'tombstones-expired' }, 'tombstones expired')
    return expired.length
  }

  /** Trims what it can; returns how many entries went. */
  async trim (): Promise<number> {
    if (this.now() - this.lastSweep >= TOMBSTONE_SWEEP_MS) await this.expireTombstones()
    const through = await this.trimmable()
    const first = await this.store.history.firstN()
    if (first == null || first > through) return 0
    const removed = await this.store.history.trim(through)
    if (removed > 0) this.options.log.info({ through, removed, event: 'history-trimmed' }, 'history trimmed')
    return removed
  }
}
