import { HISTORY_PROTOCOL, MAX_HISTORY_MESSAGE_BYTES } from './constants.js'
import { LiveEntries } from './live-entries.js'
import { entryFromWire, fileFromWire, removedFromWire, type ListedFile, type ListedRemoval } from './convert.js'
import { Ack, Publication, Subscribe } from './history.js'
import { openStream, type StreamHost } from '../common/client.js'
import { ProtocolViolationError, wrapPeerError } from '../common/errors.js'
import { hashEquals } from '../../datastore/types/hash.js'
import type { FramedStream } from '../common/framing.js'
import type { HouseholdPeer } from '../common/peers.js'
import type { HistoryEntry } from '../../datastore/types/history.js'

/** Where a subscription to one peer's arena stands (peer progress, spec section 3). */
export interface HistoryProgress {
  storeId: Uint8Array | undefined
  lastSeen: number
}

/**
 * Where a subscription's data goes (node/sync/unreal-sink.ts stores it in the
 * unreal tree). Each call resolves once the data is stored: only then is it
 * acknowledged to the publisher.
 */
export interface HistorySink {
  /** The publisher's store id and whether a full catch-up follows. */
  started: (info: { storeId: Uint8Array, catchup: boolean, lastN: number }) => Promise<void>
  catchupFiles: (files: ListedFile[]) => Promise<void>
  /** Paths the publisher deleted (its tombstones), after the files of a catch-up. */
  catchupRemoved: (removed: ListedRemoval[]) => Promise<void>
  /** The catch-up listing is complete and reflects history up to `n`. */
  catchupComplete: (storeId: Uint8Array, n: number) => Promise<void>
  /** Entries in order; store them with the progress `{storeId, last n}` in one batch. */
  entries: (storeId: Uint8Array, entries: HistoryEntry[]) => Promise<void>
}

export interface SubscribeOptions {
  signal?: AbortSignal
  /** Called once the publisher has answered (the subscription is live). */
  onStarted?: (info: { catchup: boolean }) => void
}

/**
 * Subscribes to `arena` on `peer` and feeds the sink until the stream ends,
 * the signal aborts, or something fails (thrown, wrapped with the peer and
 * the operation {#errormsg}). The caller resubscribes with its saved
 * progress after a disconnect: a resume, not a new listing.
 */
export async function subscribeHistory (host: StreamHost, peer: HouseholdPeer, arena: string, progress: HistoryProgress, sink: HistorySink, options: SubscribeOptions = {}): Promise<void> {
  const operation = `following history of arena ${arena} on ${peer.name}`
  let stream: FramedStream | undefined
  try {
    stream = await openStream(host, peer.id, HISTORY_PROTOCOL, { signal: options.signal, maxMessageBytes: MAX_HISTORY_MESSAGE_BYTES })
    await follow(stream, arena, progress, sink, options)
  } catch (err) {
    stream?.abort(err as Error)
    if (options.signal?.aborted === true) return
    throw wrapPeerError(operation, err)
  }
}

async function follow (stream: FramedStream, arena: string, progress: HistoryProgress, sink: HistorySink, options: SubscribeOptions): Promise<void> {
  const signal = options.signal
  await stream.write({ arena, storeId: (progress.storeId ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>, lastSeen: progress.lastSeen }, Subscribe, { signal })
  const first = await stream.read(Publication, 'the subscription answer', { signal })
  if (first.start == null) throw new ProtocolViolationError('history subscription answered without Start')
  const storeId = Uint8Array.from(first.start.storeId)
  const catchup = first.start.catchup
  if (!catchup && (progress.storeId == null || !hashEquals(progress.storeId, storeId))) {
    throw new ProtocolViolationError('history resumed for a store id we have no progress for')
  }
  await sink.started({ storeId, catchup, lastN: first.start.lastN })
  options.onStarted?.({ catchup })
  let last = catchup ? 0 : progress.lastSeen
  let listing = catchup
  const live = new LiveEntries(async (entries) => { await sink.entries(storeId, entries) }, {
    ack: async (n) => { await stream.write({ n }, Ack, { signal }) },
    // The reader may be waiting for a frame that never comes: stop it, it reports the failure.
    abort: (err) => { stream.abort(err as Error) }
  })
  try {
    for (;;) {
      const p = await stream.readMaybe(Publication, { signal }).catch((err) => {
        live.check()
        throw err
      })
      if (p == null) {
        if (listing) throw new ProtocolViolationError('history catch-up ended without Complete')
        await live.drain()
        return
      }
      if (p.start != null) throw new ProtocolViolationError('a second Start in one history subscription')
      if (p.files.length > 0) {
        if (!listing) throw new ProtocolViolationError('catch-up files outside a catch-up')
        await sink.catchupFiles(p.files.map(fileFromWire))
      }
      if (p.removed.length > 0) {
        if (!listing) throw new ProtocolViolationError('catch-up removals outside a catch-up')
        await sink.catchupRemoved(p.removed.map(removedFromWire))
      }
      if (p.complete != null) {
        if (!listing) throw new ProtocolViolationError('Complete outside a catch-up')
        listing = false
        last = p.complete.n
        await sink.catchupComplete(storeId, last)
        await stream.write({ n: last }, Ack, { signal })
      }
      if (p.entries.length > 0) {
        if (listing) throw new ProtocolViolationError('history entries before the catch-up was complete')
        const entries = p.entries.map(entryFromWire)
        for (const e of entries) {
          if (e.n <= last) throw new ProtocolViolationError(`history entry ${e.n} out of order (after ${last})`)
          last = e.n
        }
        await live.push(entries)
      }
    }
  } catch (err) {
    // Entries received before the failure were valid: they are stored (and acknowledged) all the same.
    await live.drain().catch(() => {})
    throw err
  }
}
