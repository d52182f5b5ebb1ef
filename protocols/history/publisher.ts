import { BATCH_BYTES, MAX_BATCH_ITEMS, MAX_PENDING_LIVE, SUBSCRIBE_TIMEOUT_MS } from './constants.js'
import { approxBytes, entryToWire, fileToWire, removedToWire, type ListedFile, type ListedRemoval } from './convert.js'
import { Ack, Publication as PublicationCodec, Subscribe, type Entry, type File, type Publication as Publication$, type Removed } from './history.js'
import { ArenaNotSharedError, ProtocolViolationError } from '../common/errors.js'
import { deadline } from '../common/client.js'
import { hashEquals } from '../../datastore/types/hash.js'
import type { InboundRequest } from '../common/serve.js'
import type { HistoryEntry } from '../../datastore/types/history.js'

/** What the publisher reads from one local arena (node/sync/publishing.ts adapts an Arena). */
export interface PublishedArena {
  storeId: Uint8Array
  /** `n` of the last entry appended (0 when none). */
  lastN: () => number
  /** `n` of the oldest entry still held; undefined when the history is empty. */
  firstN: () => Promise<number | undefined>
  /** Entries with `n > after`, in order. */
  entriesAfter: (after: number, options: { signal?: AbortSignal }) => AsyncIterable<HistoryEntry>
  /** The current real files, for a full catch-up. */
  files: (options: { signal?: AbortSignal }) => AsyncIterable<ListedFile>
  /** What this node deleted and still remembers (tombstones), listed after the files. */
  removed?: (options: { signal?: AbortSignal }) => AsyncIterable<ListedRemoval>
  /** Calls `listener` with each committed batch of new entries; returns the unsubscribe function. */
  onEntries: (listener: (entries: HistoryEntry[]) => void) => () => void
  /** The subscriber stored everything up to `n`: record it (history trimming). */
  acknowledge: (peerId: string, n: number) => Promise<void>
  /**
   * An open subscription may still read entries after `after` from the
   * store: do not trim them (undefined: released). `token` identifies it.
   */
  hold?: (token: object, after: number | undefined) => void
}

export interface PublisherOptions {
  arenas: (name: string) => PublishedArena | undefined
}

/**
 * Serves one `/realize/history/1.0.0` subscription:
 *
 *   Subscribe{arena, storeId, lastSeen}
 *     store id differs, or history trimmed past lastSeen ─> Start{catchup} Files... Removed... Complete{n}
 *     else                                               ─> Start{resume} Entries after lastSeen
 *   then live Entries (what piled up while sending goes in one batch), Acks read alongside
 *
 * Live entries are taken from the index's commit events, registered before
 * the store is read so nothing falls between; a subscriber too slow to keep
 * up makes the publisher drop its in-memory backlog and re-read the store.
 */
export async function publishHistory (request: InboundRequest, options: PublisherOptions): Promise<void> {
  const { stream } = request
  const sub = await stream.read(Subscribe, 'a subscription', { signal: deadline(SUBSCRIBE_TIMEOUT_MS, request.signal, 'waiting for Subscribe') })
  request.checkArena(sub.arena)
  const arena = options.arenas(sub.arena)
  if (arena == null) throw new ArenaNotSharedError(sub.arena)
  request.clearTimeout()
  await new Publishing(request, arena, sub).run()
}

class Publishing {
  /** The last `n` written to the subscriber (acks may not go beyond). */
  private sent = 0
  private pending: HistoryEntry[] = []
  private overflowed = false
  private wake: (() => void) | undefined
  /** Aborted by a bad ack too, so sending stops at once. */
  private readonly failed = new AbortController()
  private readonly signal: AbortSignal

  constructor (private readonly request: InboundRequest, private readonly arena: PublishedArena, private readonly sub: Subscribe) {
    this.signal = AbortSignal.any([request.signal, this.failed.signal])
  }

  async run (): Promise<void> {
    const { arena, sub, request } = this
    const unsubscribe = arena.onEntries((entries) => {
      if (this.overflowed) return
      this.pending.push(...entries)
      if (this.pending.length > MAX_PENDING_LIVE) {
        this.pending = []
        this.overflowed = true
      }
      this.wake?.()
    })
    let closed = false
    const acks = this.readAcks().then(() => { closed = true }, (err) => {
      this.failed.abort(err)
      throw err
    })
    acks.catch(() => {})
    try {
      const lastN = arena.lastN()
      arena.hold?.(this, Math.min(sub.lastSeen, lastN))
      const firstN = await arena.firstN()
      const known = sub.storeId.byteLength > 0 && hashEquals(sub.storeId, arena.storeId)
      const held = firstN == null ? sub.lastSeen >= lastN : sub.lastSeen >= firstN - 1
      const catchup = !known || sub.lastSeen > lastN || !held
      await this.write({ start: { storeId: arena.storeId as Uint8Array<ArrayBuffer>, catchup, lastN } })
      request.log.info({ arena: sub.arena, catchup, lastSeen: sub.lastSeen, lastN, event: 'history-subscribed' }, catchup ? 'history subscription: full catch-up' : 'history subscription: resuming')
      if (catchup) {
        arena.hold?.(this, lastN)
        await this.sendFiles()
        await this.sendRemoved()
        this.sent = lastN
        await this.write({ complete: { n: lastN } })
      } else {
        this.sent = sub.lastSeen
        await this.sendStored()
      }
      while (!closed) {
        this.signal.throwIfAborted()
        if (this.overflowed) {
          this.overflowed = false
          this.pending = []
          await this.sendStored()
          continue
        }
        const batch = this.pending.filter((e) => e.n > this.sent)
        this.pending = []
        if (batch.length > 0) {
          await this.sendEntries(batch)
          continue
        }
        await Promise.race([acks, new Promise<void>((resolve) => { this.wake = resolve })])
        this.wake = undefined
      }
      await acks
    } finally {
      unsubscribe()
      arena.hold?.(this, undefined)
    }
  }

  private async write (p: Partial<Publication$>): Promise<void> {
    await this.request.stream.write({ files: [], entries: [], removed: [], ...p }, PublicationCodec, { signal: this.signal })
  }

  /** Reads Ack frames until the subscriber closes its end; rejects on a bad ack. */
  private async readAcks (): Promise<void> {
    let last = -1
    for (;;) {
      const ack = await this.request.stream.readMaybe(Ack, { signal: this.signal })
      if (ack == null) return
      if (!Number.isSafeInteger(ack.n) || ack.n < last || ack.n > this.sent) {
        throw new ProtocolViolationError(`acknowledgement of entry ${ack.n}, but only up to ${this.sent} was sent`)
      }
      // A repeated ack changes nothing; not writing it keeps a chatty peer from costing us store writes.
      if (ack.n === last) continue
      last = ack.n
      this.arena.hold?.(this, ack.n)
      await this.arena.acknowledge(this.request.peer.id, ack.n)
      this.wake?.()
    }
  }

  private async sendFiles (): Promise<void> {
    let batch: File[] = []
    let bytes = 0
    for await (const f of this.arena.files({ signal: this.signal })) {
      batch.push(fileToWire(f))
      bytes += approxBytes(f.path)
      if (batch.length >= MAX_BATCH_ITEMS || bytes >= BATCH_BYTES) {
        await this.write({ files: batch })
        batch = []
        bytes = 0
      }
    }
    if (batch.length > 0) await this.write({ files: batch })
  }

  private async sendRemoved (): Promise<void> {
    if (this.arena.removed == null) return
    let batch: Removed[] = []
    let bytes = 0
    for await (const r of this.arena.removed({ signal: this.signal })) {
      batch.push(removedToWire(r))
      bytes += approxBytes(r.path) + 32 * r.hashes.length
      if (batch.length >= MAX_BATCH_ITEMS || bytes >= BATCH_BYTES) {
        await this.write({ removed: batch })
        batch = []
        bytes = 0
      }
    }
    if (batch.length > 0) await this.write({ removed: batch })
  }

  /** Sends the stored entries after what was sent. */
  private async sendStored (): Promise<void> {
    let batch: HistoryEntry[] = []
    for await (const e of this.arena.entriesAfter(this.sent, { signal: this.signal })) {
      batch.push(e)
      if (batch.length >= MAX_BATCH_ITEMS) {
        await this.sendEntries(batch)
        batch = []
      }
    }
    if (batch.length > 0) await this.sendEntries(batch)
  }

  /** Sends entries in frames under the batch size. */
  private async sendEntries (entries: readonly HistoryEntry[]): Promise<void> {
    let frame: Entry[] = []
    let bytes = 0
    for (const [i, e] of entries.entries()) {
      frame.push(entryToWire(e))
      bytes += approxBytes(e.notification.path)
      if (frame.length >= MAX_BATCH_ITEMS || bytes >= BATCH_BYTES || i === entries.length - 1) {
        // Before the write: the subscriber may ack it as soon as it arrives.
        this.sent = e.n
        await this.write({ entries: frame })
        frame = []
        bytes = 0
      }
    }
  }
}
