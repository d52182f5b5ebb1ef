import { readBlobInto, readBlobPiecesInto } from '../../protocols/blob/client.js'
import { BatchUnsupportedError, BlobBatchReader } from '../../protocols/blob/batch-client.js'
import { MAX_BLOB_BATCH_READ_BYTES } from '../../protocols/blob/constants.js'
import { hashRanges } from '../../protocols/hash/client.js'
import { askHold } from '../../protocols/hold/client.js'
import { repairRange } from '../../protocols/rsync/repair.js'
import { peerLabel } from '../../protocols/common/peers.js'
import { throttleOf, type RateLimits } from '../net/rate-limit.js'
import { hashEquals } from '../../datastore/types/hash.js'
import type { Network } from '../net/network.js'
import type { Faults } from '../../protocols/faults.js'
import type { RangeSource } from './source.js'

export interface NetworkSourceOptions {
  /**
   * Churten's downloads count against `download` and `churten_download`;
   * on-demand reads (`cat`) only against `download` {#churtenlimit}. Every
   * byte that comes in counts: blob chunks, rsync literals and the plain
   * copy a bad delta falls back to, range digests.
   */
  limits?: RateLimits
  /** Reads for a user waiting on them, not background sync. @default false */
  onDemand?: boolean
  /** Test-only {#testretries}. */
  faults?: Faults
}

/**
 * File content from peers for churten and `cat`: household peers that are connected,
 * share the arena and, as far as the unreal tree knows, have the version,
 * read with the blob, hash and rsync protocols; and the hold request that
 * comes before a drop (protocols/hold).
 */
export function networkSource (network: Network, options: NetworkSourceOptions = {}): RangeSource {
  const components = { host: network.host, peers: network.household }
  const limits = options.limits
  const throttle = limits == null ? undefined : options.onDemand === true ? throttleOf(limits.download) : throttleOf(limits.download, limits.churtenDownload)
  const faults = options.faults
  const slots = new PeerSlots(READS_PER_PEER)
  // Small whole-file reads share one pipelined stream per peer (docs/protocols-data.md, "Blob batch").
  const batches = new Map<string, BlobBatchReader>()
  const batchFor = (peer: string): BlobBatchReader | undefined => {
    let b = batches.get(peer)
    if (b == null) batches.set(peer, b = new BlobBatchReader(components, peer, { throttle, faults }))
    return b.unsupported ? undefined : b
  }
  return {
    name: (peer) => peerLabel(network.household, peer),
    peersWith (arena, peers, hash) {
      const connected = new Set(network.peers().filter((p) => p.connected).map((p) => p.peerId))
      return peers
        .filter((p) => hashEquals(p.version.hash, hash) && connected.has(p.peer) && network.household.shares(p.peer, arena))
        .map((p) => p.peer)
    },
    async read (peer, req, write, { signal }) {
      const batch = req.length <= MAX_BLOB_BATCH_READ_BYTES ? batchFor(peer) : undefined
      if (batch != null) {
        try {
          return (await batch.read(req, write, { signal })).wireBytes
        } catch (err) {
          if (!(err instanceof BatchUnsupportedError)) throw err
        }
      }
      return await slots.run(peer, signal, async () => (await readBlobInto(components, peer, req, write, { signal, throttle, faults })).wireBytes)
    },
    async readPieces (peer, req, write, { signal }) {
      return await slots.run(peer, signal, async () => (await readBlobPiecesInto(components, peer, req, write, { signal, throttle, faults })).wireBytes)
    },
    async rsync (peer, req, basis, write, { signal }) {
      return await slots.run(peer, signal, async () => await repairRange(components, peer, req, basis, write, { signal, throttle, faults }))
    },
    async hashRanges (peer, req, ranges, localSize, { signal }) {
      return await slots.run(peer, signal, async () => await hashRanges(components, peer, { ...req, ranges }, { localSize, signal, throttle, faults }))
    },
    // Not in the read slots: one small exchange, and a drop must not wait behind downloads.
    async hold (peer, req, { signal }) {
      return await askHold(components, peer, req, { signal })
    }
  }
}

/**
 * Requests to one peer at a time: a peer resets streams beyond its
 * per-peer limit (MAX_BLOB_STREAMS_PER_PEER, 16), and on-demand reads
 * need room beside churten's.
 */
export const READS_PER_PEER = 8

class PeerSlots {
  private readonly busy = new Map<string, number>()
  private readonly queues = new Map<string, Array<() => void>>()

  constructor (private readonly max: number) {}

  async run<T> (peer: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.take(peer, signal)
    try {
      return await fn()
    } finally {
      this.give(peer)
    }
  }

  private async take (peer: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    const n = this.busy.get(peer) ?? 0
    if (n < this.max) {
      this.busy.set(peer, n + 1)
      return
    }
    await new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(peer) ?? []
      this.queues.set(peer, queue)
      const go = (): void => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        const i = queue.indexOf(go)
        if (i >= 0) queue.splice(i, 1)
        reject(signal.reason)
      }
      queue.push(go)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Hands the slot to the next waiter, or frees it. */
  private give (peer: string): void {
    const next = this.queues.get(peer)?.shift()
    if (next != null) {
      next()
      return
    }
    const n = (this.busy.get(peer) ?? 1) - 1
    if (n <= 0) this.busy.delete(peer)
    else this.busy.set(peer, n)
  }
}
